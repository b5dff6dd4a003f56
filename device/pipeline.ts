/**
 * The device pipeline: capture -> detect -> crop -> estimate -> track -> sinks, with one
 * StageClock per frame. Stages never time themselves; the pipeline attaches `stageMs` to every
 * result. `createPipeline` fills unset slots with the shipped models.
 *
 * @example
 * const pipeline = await createPipeline({ source: 'file:walk.mp4', sinks: [JsonLinesSink.toStream(process.stdout)] });
 * const summary = await pipeline.run(abortController.signal);
 * await pipeline.close();
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agekitRoot, installedPackageDir } from '../core/package-files.ts';
import { ModelFormatError } from '../core/errors.ts';
import { BlazeFaceDetector } from './detectors/blazeface-detector.ts';
import { AgeEstimator } from './estimators/age-estimator.ts';
import { cropFaces } from './estimators/crop-faces.ts';
import { IouTracker, type IouTrackerOptions } from './trackers/iou-tracker.ts';
import { FrameTracker } from './trackers/frame-tracker.ts';
import { createSource } from './sources/create-source.ts';
import type { SourceOptions } from './sources/ffmpeg-sources.ts';
import { StageClock, nowMs } from './stage-clock.ts';
import { AudienceEvents, type AudienceEventsOptions } from './events/audience-events.ts';
import { agedFaces } from './trackers/aged-faces.ts';
import type { Detector, EndedTrack, Estimator, FaceCrop, FrameResult, Sink, Source, SourceHealth, Tracker } from './stages.ts';

/** What a finished run did. */
export interface PipelineSummary {
  frames: number;
  faces: number;
  /** Wall time from the first capture request to the end, ms. */
  wallMs: number;
  /** frames / wall time. */
  fps: number;
  source: SourceHealth;
  /** Frames whose processing threw a (non-source) error and were skipped. */
  failedFrames: number;
}

export interface RunPipelineOptions {
  source: Source;
  detector: Detector;
  /** Without an estimator, faces are tracked without ages. */
  estimator?: Estimator;
  tracker: Tracker;
  sinks?: Sink[];
  /** Builds each frame's audience events for sinks with `writeEvents`. Default: none. */
  events?: AudienceEvents;
  /** Stop after this many frames. Default: until the source ends or the signal aborts. */
  maxFrames?: number;
  /** Called when a frame's processing fails (the frame is skipped); default rethrows. */
  onFrameError?: (err: unknown, frame: number) => void;
}

/** Run the loop until the source ends, `maxFrames` is reached or `signal` aborts. */
export async function runPipeline(o: RunPipelineOptions, signal: AbortSignal): Promise<PipelineSummary> {
  const sinks = o.sinks ?? [];
  const wantsPixels = sinks.some((s) => s.wantsPixels);
  const it = o.source.frames(signal)[Symbol.asyncIterator]();
  const start = nowMs();
  let frames = 0, faces = 0, failedFrames = 0, outputMs = 0;
  const clock = new StageClock();
  const detectParts = clock.parts('detect');
  try {
    while (!signal.aborted && (o.maxFrames === undefined || frames < o.maxFrames)) {
      clock.reset();
      const t0 = nowMs();
      const next = await it.next();
      clock.add('capture', nowMs() - t0);
      const epochMs = Date.now();
      if (next.done) break;
      const frame = next.value;
      let result: FrameResult, crops: FaceCrop[];
      try {
        const boxes = await clock.time('detect', () => o.detector.detect(frame, detectParts));
        crops = o.estimator ? clock.timeSync('crop', () => cropFaces(frame, boxes, o.estimator!.meta)) : [];
        const ages = o.estimator && crops.length ? await clock.time('estimate', () => o.estimator!.estimate(crops)) : [];
        // Re-entry signatures come from the crops the estimator already has and stay in the tracker's memory.
        const tracked = clock.timeSync('track', () => o.tracker.update(frame.tMs, agedFaces(boxes, ages, crops, o.tracker, o.estimator?.meta.inputSize)));
        const ms = clock.ms;
        result = {
          frame: frame.index, tMs: frame.tMs, epochMs, width: frame.width, height: frame.height, faces: tracked, ended: o.tracker.takeEnded(),
          // `output` is known only after the sinks ran: it is the previous frame's.
          stageMs: { ...ms, output: outputMs, total: ms.capture + ms.detect + ms.crop + ms.estimate + ms.track },
          ...(Object.keys(clock.extraMs).length ? { extraMs: { ...clock.extraMs } } : {}),
        };
      } catch (err) {
        failedFrames++;
        o.source.release?.(frame);
        if (!o.onFrameError) throw err;
        o.onFrameError(err, frame.index);
        continue;
      }
      const t1 = nowMs();
      try {
        const events = o.events?.frame(result) ?? [];
        for (const sink of sinks) {
          await sink.write(result, wantsPixels ? { frame, crops } : undefined);
          if (events.length) await sink.writeEvents?.(events);
        }
      } finally {
        // Crops are copies and sinks copy what they keep: once they ran, the source may reuse the buffer.
        o.source.release?.(frame);
      }
      outputMs = nowMs() - t1;
      frames++;
      faces += result.faces.length;
    }
  } finally {
    await it.return?.();
  }
  const wallMs = nowMs() - start;
  return { frames, faces, wallMs, fps: wallMs > 0 ? (frames * 1000) / wallMs : 0, source: { ...o.source.health }, failedFrames };
}

/** Where the shipped models are: samples/models beside the package (or beside the bundle). */
export function shippedModelsDir(): string {
  const root = agekitRoot();
  const here = dirname(fileURLToPath(import.meta.url));
  // In a checkout or an installed package: samples/models; in the device bundle: models/ beside it.
  const candidates = [...(root ? [join(root, 'samples', 'models')] : []), resolve(here, 'models'), resolve(process.cwd(), 'models')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

/** The shipped detector: blazeface.tflite, else BlazeFace's tfjs graph model from @vladmandic/human. */
export function defaultDetectorPath(): string {
  const tflite = join(shippedModelsDir(), 'blazeface.tflite');
  if (existsSync(tflite)) return tflite;
  const humanDir = installedPackageDir('@vladmandic/human');
  const human = humanDir && join(humanDir, 'models', 'blazeface.json');
  if (human && existsSync(human)) return human;
  throw new ModelFormatError('no face detector found', { where: shippedModelsDir(), hint: 'give --detector <blazeface.tflite> (agekit convert the BlazeFace graph model from @vladmandic/human)' });
}

/** The shipped student (student.tflite in samples/models), or undefined when none ships yet. */
export function defaultStudentPath(): string | undefined {
  const p = join(shippedModelsDir(), 'student.tflite');
  return existsSync(p) ? p : undefined;
}

export interface CreatePipelineOptions {
  /** A Source, or a spec such as `v4l2:/dev/video0` (see createSource). */
  source: Source | string;
  sourceOptions?: SourceOptions;
  /** Default: the shipped BlazeFace. */
  detector?: Detector;
  /** Default: the shipped student if there is one; `null` for detection and tracking only. */
  estimator?: Estimator | null;
  /** Default: an IouTracker with `trackerOptions`, or a FrameTracker (each frame's faces its own) when `track` is false. */
  tracker?: Tracker;
  /** Link faces across frames when no tracker is given. Default true, but false for an `images:` spec (unrelated photos). */
  track?: boolean;
  trackerOptions?: IouTrackerOptions;
  sinks?: Sink[];
  /** Audience events (track_start, track_update, track_end, aggregate) for sinks with `writeEvents`. Default on, with the tracker's buckets; false: none. */
  events?: AudienceEventsOptions | AudienceEvents | false;
}

/** A wired pipeline; `close()` releases the source, models and sinks. */
export interface Pipeline {
  source: Source;
  detector: Detector;
  estimator?: Estimator;
  tracker: Tracker;
  sinks: Sink[];
  events?: AudienceEvents;
  run(signal: AbortSignal, options?: Pick<RunPipelineOptions, 'maxFrames' | 'onFrameError'>): Promise<PipelineSummary>;
  /**
   * The run is over: end the tracks still alive, send their track_end events and the last
   * aggregate to the sinks, and return those tracks. Call it after run(), before close().
   */
  finish(): Promise<EndedTrack[]>;
  close(): Promise<void>;
}

/** Build a pipeline, loading the shipped models for unset slots. */
export async function createPipeline(o: CreatePipelineOptions): Promise<Pipeline> {
  const detector = o.detector ?? await BlazeFaceDetector.create({ modelPath: defaultDetectorPath() });
  let estimator: Estimator | undefined;
  if (o.estimator) estimator = o.estimator;
  else if (o.estimator === undefined) {
    const student = defaultStudentPath();
    if (student) estimator = await AgeEstimator.create({ modelPath: student });
  }
  const source = typeof o.source === 'string' ? await createSource(o.source, o.sourceOptions) : o.source;
  const track = o.track ?? !(typeof o.source === 'string' && o.source.startsWith('images:'));
  const tracker = o.tracker ?? (track ? new IouTracker(o.trackerOptions) : new FrameTracker({ buckets: o.trackerOptions?.buckets }));
  const sinks = o.sinks ?? [];
  const events = o.events === false ? undefined : o.events instanceof AudienceEvents ? o.events : new AudienceEvents({ buckets: o.trackerOptions?.buckets, ...o.events });
  return {
    source, detector, estimator, tracker, sinks, events,
    run: (signal, ro) => runPipeline({ source, detector, estimator, tracker, sinks, events, ...ro }, signal),
    async finish() {
      const ended = tracker.flush?.() ?? [];
      const last = events?.finish(ended) ?? [];
      if (last.length) for (const s of sinks) await s.writeEvents?.(last);
      return ended;
    },
    async close() {
      await source.close();
      for (const s of sinks) await s.close();
      await detector.close?.();
      await estimator?.close?.();
    },
  };
}
