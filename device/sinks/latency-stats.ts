/**
 * Latency statistics as a sink: per-stage p50, p95 and max over the run, and FPS overall and
 * over the last few seconds. Samples are kept in a bounded ring (the newest 20,000 frames), so
 * a run of weeks uses constant memory.
 *
 * @example
 * const stats = new LatencyStats();
 * await runPipeline({ ..., sinks: [stats] }, signal);
 * stats.summary().stages.detect.p50Ms;
 */
import { STAGES, type FrameResult, type Sink, type Stage } from '../stages.ts';
import { nowMs } from '../stage-clock.ts';

export interface StageStats { p50Ms: number; p95Ms: number; maxMs: number; meanMs: number }

export interface LatencySummary {
  frames: number;
  faces: number;
  /** Frames per second from the first to the last frame seen ("pipeline FPS": the source's start-up is not in it). */
  fps: number;
  /** Frames per second over the last `windowMs`. */
  recentFps: number;
  stages: Record<Stage | 'total', StageStats>;
}

const KEYS: Array<Stage | 'total'> = [...STAGES, 'total'];

/** The q-quantile (0..1) of a sorted array, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export class LatencyStats implements Sink {
  private readonly ring: Record<string, Float64Array>;
  private readonly max: Record<string, number> = {};
  private n = 0;
  private faces = 0;
  private firstMs?: number;
  private lastMs?: number;
  private readonly recent: number[] = [];

  constructor(private readonly capacity = 20_000, private readonly windowMs = 3000, private readonly now: () => number = nowMs) {
    this.ring = Object.fromEntries(KEYS.map((k) => [k, new Float64Array(capacity)]));
    for (const k of KEYS) this.max[k] = 0;
  }

  write(r: FrameResult): void {
    const slot = this.n % this.capacity;
    for (const k of KEYS) {
      const v = r.stageMs[k];
      this.ring[k][slot] = v;
      if (v > this.max[k]) this.max[k] = v;
    }
    this.n++;
    this.faces += r.faces.length;
    const t = this.now();
    this.firstMs ??= t;
    this.lastMs = t;
    this.recent.push(t);
    while (this.recent.length > 1 && t - this.recent[0] > this.windowMs) this.recent.shift();
  }

  summary(): LatencySummary {
    const count = Math.min(this.n, this.capacity);
    const stages = {} as Record<Stage | 'total', StageStats>;
    for (const k of KEYS) {
      const s = Float64Array.from(this.ring[k].subarray(0, count)).sort();
      let sum = 0;
      for (const v of s) sum += v;
      stages[k] = { p50Ms: quantile(s, 0.5), p95Ms: quantile(s, 0.95), maxMs: this.max[k], meanMs: count ? sum / count : 0 };
    }
    const span = (this.lastMs ?? 0) - (this.firstMs ?? 0);
    const rspan = this.recent.length > 1 ? this.recent[this.recent.length - 1] - this.recent[0] : 0;
    return {
      frames: this.n, faces: this.faces,
      fps: span > 0 ? ((this.n - 1) * 1000) / span : 0,
      recentFps: rspan > 0 ? ((this.recent.length - 1) * 1000) / rspan : 0,
      stages,
    };
  }

  async close(): Promise<void> {}
}

/** The latency table printed on exit: one row per stage, ms. */
export function formatLatencyTable(s: LatencySummary): string {
  const rows = [['stage', 'p50 ms', 'p95 ms', 'max ms', 'share']];
  const total = s.stages.total.meanMs || 1;
  for (const k of KEYS) {
    const st = s.stages[k];
    rows.push([k, st.p50Ms.toFixed(2), st.p95Ms.toFixed(2), st.maxMs.toFixed(2), k === 'total' || k === 'output' ? '' : `${((100 * st.meanMs) / total).toFixed(0)}%`]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
  return [`${s.frames} frames, ${s.faces} faces, pipeline FPS ${s.fps.toFixed(1)} (first to last frame)`, ...lines].join('\n');
}
