/**
 * `window.agekit`: what signage content on the kiosk page reacts to. An EventTarget with events
 * per track and per frame, the current audience by age bucket, the speed per stage, and the
 * errors the kiosk met. Details are plain data (the pipeline's FrameResult, TrackedFace, EndedTrack).
 *
 * @example
 * agekit.on('track-start', (face) => console.log('new viewer', face.track));
 * agekit.on('audience', ({ byBucket }) => showAdFor(byBucket));
 * agekit.audience(); // { total: 2, byBucket: { '25-34': 1, '35-44': 1 } }
 */
import type { EndedTrack, Frame, FrameResult, Stage, TrackedFace } from '../../stages.ts';
import { STAGES } from '../../stages.ts';
import type { KioskReport, KioskRuntime } from '../kiosk-config.ts';

/** Event names and their `detail`. */
export interface KioskEvents {
  /** Models loaded and the camera open: frames follow. */
  ready: KioskStats;
  /** Every processed frame. */
  frame: FrameResult;
  /** A face appeared (its bucket may still be unknown). */
  'track-start': TrackedFace;
  /** A track's age bucket was first known or changed. */
  'track-update': TrackedFace;
  /** A track ended (unseen for the tracker's maxMissedMs, 1 s; the page does no re-entry). */
  'track-end': EndedTrack;
  /** The audience by bucket changed. */
  audience: Audience;
  error: KioskReport;
}

/** Tracks alive now, counted by age bucket (tracks without an age yet count in `total` only). */
export interface Audience { total: number; byBucket: Record<string, number> }

/** One processed frame with its pixels (RGB, HWC, base64), for checks and debugging. */
export interface KioskFramePixels { result: FrameResult; width: number; height: number; rgbBase64: string }

export interface KioskStats {
  state: 'loading' | 'running' | 'error';
  runtime: KioskRuntime;
  /** What runs each model, e.g. `litert.js wasm xnnpack (2 threads)`. */
  detector?: string;
  model?: string;
  threads: number;
  crossOriginIsolated: boolean;
  frames: number;
  /** Frames processed per second over the last (up to) 60 frames. */
  fps: number;
  /** Median ms per stage over the last (up to) 60 frames; `total` is capture to end of tracking. */
  stageMs: Record<Stage | 'total', number>;
  /** Medians of the stages' inner parts (`detect.infer`, `capture.wait`, ...). */
  extraMs: Record<string, number>;
  width: number;
  height: number;
}

const WINDOW = 60;
const KEEP = 300;

const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class AgekitKioskApi extends EventTarget {
  state: KioskStats['state'] = 'loading';
  readonly errors: KioskReport[] = [];
  private readonly recent: FrameResult[] = [];
  private readonly doneAt: number[] = [];
  private readonly buckets = new Map<number, string | undefined>();
  private frames = 0;
  private audienceKey = '';
  private current: Audience = { total: 0, byBucket: {} };
  private pixelWaiters: Array<(p: KioskFramePixels) => void> = [];
  info: Pick<KioskStats, 'runtime' | 'detector' | 'model' | 'threads' | 'width' | 'height'>;

  constructor(runtime: KioskRuntime) {
    super();
    this.info = { runtime, threads: 1, width: 0, height: 0 };
  }

  /** Listen to one event; returns the function that stops listening. */
  on<K extends keyof KioskEvents>(type: K, fn: (detail: KioskEvents[K]) => void): () => void {
    const listener = (e: Event) => fn((e as CustomEvent<KioskEvents[K]>).detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /** The audience now (a copy). */
  audience(): Audience {
    return { total: this.current.total, byBucket: { ...this.current.byBucket } };
  }

  /** The last (up to 300) frame results, oldest first. */
  results(): FrameResult[] {
    return [...this.recent];
  }

  stats(): KioskStats {
    const last = this.recent.slice(-WINDOW);
    const stageMs = Object.fromEntries([...STAGES, 'total'].map((s) => [s, median(last.map((r) => r.stageMs[s as Stage | 'total']))])) as Record<Stage | 'total', number>;
    const keys = new Set(last.flatMap((r) => Object.keys(r.extraMs ?? {})));
    const extraMs = Object.fromEntries([...keys].map((k) => [k, median(last.map((r) => r.extraMs?.[k] ?? 0))]));
    const t = this.doneAt.slice(-WINDOW);
    const fps = t.length > 1 ? ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]) : 0;
    return { state: this.state, ...this.info, crossOriginIsolated: globalThis.crossOriginIsolated === true, frames: this.frames, fps, stageMs, extraMs };
  }

  /**
   * The next processed frame with the exact pixels the models saw (tests compare them with the
   * Node runtime on the same pixels). Costs one copy of one frame, only when asked.
   */
  nextFramePixels(): Promise<KioskFramePixels> {
    return new Promise((resolve) => this.pixelWaiters.push(resolve));
  }

  /** The kiosk loop hands each frame here, with the tracks alive after it. */
  publish(result: FrameResult, active: TrackedFace[], frame?: Frame): void {
    if (frame && this.pixelWaiters.length) {
      let bin = '';
      for (let i = 0; i < frame.rgb.length; i += 0x8000) bin += String.fromCharCode(...frame.rgb.subarray(i, i + 0x8000));
      const pixels = { result, width: frame.width, height: frame.height, rgbBase64: btoa(bin) };
      for (const w of this.pixelWaiters.splice(0)) w(pixels);
    }
    this.frames++;
    this.recent.push(result);
    if (this.recent.length > KEEP) this.recent.shift();
    this.doneAt.push(performance.now());
    if (this.doneAt.length > WINDOW) this.doneAt.shift();
    for (const face of result.faces) {
      if (!this.buckets.has(face.track)) {
        this.buckets.set(face.track, face.bucket);
        this.emit('track-start', face);
        if (face.bucket !== undefined) this.emit('track-update', face);
      } else if (this.buckets.get(face.track) !== face.bucket) {
        this.buckets.set(face.track, face.bucket);
        this.emit('track-update', face);
      }
    }
    for (const ended of result.ended) {
      this.buckets.delete(ended.track);
      this.emit('track-end', ended);
    }
    const byBucket: Record<string, number> = {};
    for (const t of active) if (t.bucket !== undefined) byBucket[t.bucket] = (byBucket[t.bucket] ?? 0) + 1;
    const key = JSON.stringify([active.length, Object.entries(byBucket).sort()]);
    if (key !== this.audienceKey) {
      this.audienceKey = key;
      this.current = { total: active.length, byBucket };
      this.emit('audience', this.audience());
    }
    this.emit('frame', result);
  }

  reportError(r: KioskReport): void {
    this.errors.push(r);
    this.emit('error', r);
  }

  emit<K extends keyof KioskEvents>(type: K, detail: KioskEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
