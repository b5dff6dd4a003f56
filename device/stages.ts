/**
 * The device pipeline's small interfaces: a frame flows Source -> Detector -> crop -> Estimator
 * -> Tracker -> Sinks. Every result is plain data (no tensors, no class instances), so sinks and
 * tests can serialise it.
 *
 * @example
 * const source: Source = createSource('file:walk.mp4', { loop: false });
 * for await (const frame of source.frames(signal)) console.log(frame.index, frame.tMs);
 */
import type { Box } from '../core/contract/face-crop.ts';
import type { ModelMetadata } from '../core/contract/model-metadata.ts';
import type { StagePartTimer } from './stage-clock.ts';
import type { AudienceEvent } from './events/audience-event.ts';
import type { AppearanceSignature } from './trackers/appearance-signature.ts';

/** One camera frame: RGB bytes, HWC, `width * height * 3` long. */
export interface Frame {
  /** 0-based count of frames delivered by the source (skipped bad frames do not count). */
  index: number;
  /** Capture time in ms on a monotonic clock; strictly increasing within one source. */
  tMs: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A producer of frames: a camera, a video, a stream, a folder of images. */
export interface Source {
  /** The spec it was made from, e.g. `v4l2:/dev/video0`. */
  readonly id: string;
  /** Frames until the source ends or `signal` aborts. Reconnects and restarts happen inside. */
  frames(signal: AbortSignal): AsyncIterable<Frame>;
  /** Counters for the report: frames skipped as bad, restarts, reconnects. */
  readonly health: SourceHealth;
  /**
   * Optional: the caller is done with this frame (detector, crops and every sink), so the source
   * may reuse its `rgb` buffer for a later frame. Without the call the buffer is garbage
   * collected; calling it while anything still reads the pixels is a bug. The pipeline calls it
   * after the sinks of each frame.
   */
  release?(frame: Frame): void;
  /** Stop any child process and release the device. Safe to call twice. */
  close(): Promise<void>;
}

/** What went wrong inside a source, counted rather than thrown, for the report. */
export interface SourceHealth {
  /** Frames dropped because they could not be decoded (short read, corrupt image). */
  badFrames: number;
  /** Times the producer (ffmpeg, rpicam-vid, ...) was started again after it died or stalled. */
  restarts: number;
  /** Times no frame arrived within the stall timeout. */
  stalls: number;
  /** Live frames dropped because the pipeline was still busy with an earlier one. */
  dropped: number;
  /** The last problem, for the status line; undefined when healthy. */
  lastProblem?: string;
}

/** A point in frame pixels. */
export interface Point { x: number; y: number }

/** A detected face in frame pixels. */
export interface FaceBox extends Box {
  /** Detector confidence, 0..1. */
  score: number;
  /**
   * Landmarks when the detector gives them, frame pixels (not clipped to the frame). BlazeFace:
   * 6 points, in {@link BLAZEFACE_KEYPOINTS} order (right eye, left eye, nose tip, mouth, right
   * ear tragion, left ear tragion; "right" is the person's right, on the image's left).
   */
  keypoints?: Point[];
}

/** Names of BlazeFace's 6 keypoints, in the order of {@link FaceBox.keypoints}. */
export const BLAZEFACE_KEYPOINTS = ['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEarTragion', 'leftEarTragion'] as const;

/** A face crop ready for the estimator: model-input-sized RGB bytes, HWC. */
export interface FaceCrop {
  box: FaceBox;
  /** inputSize[1] x inputSize[0] x 3 RGB bytes. */
  rgb: Uint8Array;
}

/** One estimate per crop, in the order given. */
export interface AgeEstimate {
  /** Calibrated age in years (the metadata's age calibration applied). */
  age: number;
  /** Age straight from the model read-out, before calibration. */
  rawAge: number;
}

/** A face with its age for this frame (age undefined when there is no estimator). */
export interface AgedFace {
  box: FaceBox;
  age?: number;
  /** Appearance signature of the face's crop, for re-entry (trackers with `wantsSignatures`); in memory only, never written. */
  signature?: AppearanceSignature;
}

/** A face after tracking: its track id, smoothed age and age bucket. */
export interface TrackedFace {
  /** Stable id of the track, 1-based, never reused within a run. */
  track: number;
  box: FaceBox;
  /** Age estimated on this frame, if any. */
  age?: number;
  /** Smoothed age over the track's recent estimates, held inside its bucket near a border (BucketHold): the shown age. */
  ageSmoothed?: number;
  /** Label of the smoothed age's bucket, e.g. `25-34`. */
  bucket?: string;
  /** Time since the track started, ms. */
  dwellMs: number;
  /** True on the frame a track comes back after being out of sight (re-entry): the time between is not attention. */
  reentered?: boolean;
}

/** A track that ended (not matched for the tracker's `maxMissedMs`). */
export interface EndedTrack {
  track: number;
  ageSmoothed?: number;
  bucket?: string;
  dwellMs: number;
  firstMs: number;
  lastMs: number;
}

export interface Detector {
  readonly id: string;
  /** Faces in frame pixels, best first. `parts`, when given, receives the time of its inner parts. */
  detect(frame: Frame, parts?: StagePartTimer): Promise<FaceBox[]>;
  close?(): Promise<void>;
}

export interface Estimator {
  readonly id: string;
  readonly meta: ModelMetadata;
  estimate(crops: FaceCrop[]): Promise<AgeEstimate[]>;
  close?(): Promise<void>;
}

export interface Tracker {
  /** Match this frame's faces to tracks. `tMs` must increase strictly; otherwise it throws. */
  update(tMs: number, faces: AgedFace[]): TrackedFace[];
  /** Tracks that ended since the last call (drained). */
  takeEnded(): EndedTrack[];
  /** True when faces should carry an appearance `signature` (re-entry is on). */
  readonly wantsSignatures?: boolean;
  /** Tracks alive now. */
  active(): TrackedFace[];
  /** End every live track now (the run is over) and return them. */
  flush?(): EndedTrack[];
}

/** The timed stages of one frame. */
export type Stage = 'capture' | 'detect' | 'crop' | 'estimate' | 'track' | 'output';
export const STAGES: readonly Stage[] = ['capture', 'detect', 'crop', 'estimate', 'track', 'output'];

/** What the pipeline hands every sink for each processed frame. */
export interface FrameResult {
  frame: number;
  tMs: number;
  /** Wall-clock time of capture, epoch ms (runPipeline sets it; a hand-made result without it is stamped when a sink writes it). */
  epochMs?: number;
  width: number;
  height: number;
  faces: TrackedFace[];
  /** Ms spent in each stage of this frame; `total` is capture to end of tracking. */
  stageMs: Record<Stage | 'total', number>;
  /** Inner parts of stages that report them, as `<stage>.<part>` (BlazeFace: `detect.input`, `detect.infer`, `detect.decode`). */
  extraMs?: Record<string, number>;
  /** Tracks that ended on this frame. */
  ended: EndedTrack[];
}

/**
 * The frame itself is passed only to sinks that ask for it (preview, save-frames, calibration).
 * Its pixels are valid until write() settles (the source then reuses the buffer): a sink that
 * keeps them longer (a preview rendered later) copies them first.
 */
export interface Sink {
  /** True when write() needs the frame's pixels and crops. */
  readonly wantsPixels?: boolean;
  write(result: FrameResult, pixels?: FramePixels): void | Promise<void>;
  /**
   * Optional: the audience events of the frame just written (track_start, track_update,
   * track_end, aggregate), built once by the pipeline so every sink sends the same ids and
   * times; called after write() when there are any, and once more by Pipeline.finish().
   */
  writeEvents?(events: AudienceEvent[]): void | Promise<void>;
  close(): Promise<void>;
}

/** The frame and face crops, for sinks that want pixels. */
export interface FramePixels {
  frame: Frame;
  crops: FaceCrop[];
}
