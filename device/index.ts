/**
 * agekit/device: the device runtime's public API. Anything not exported here is internal.
 *
 * @example
 * import { createPipeline, JsonLinesSink } from 'agekit/device';
 * const pipeline = await createPipeline({ source: 'v4l2:/dev/video0', sinks: [JsonLinesSink.toStream(process.stdout)] });
 * await pipeline.run(new AbortController().signal);
 * await pipeline.close();
 */
// The stages and the data that flows between them.
export type { Frame, Source, SourceHealth, Detector, Estimator, Tracker, Sink, FrameResult, FaceBox, Point, FaceCrop, AgeEstimate, AgedFace, TrackedFace, EndedTrack, Stage } from './stages.ts';
export { STAGES, BLAZEFACE_KEYPOINTS } from './stages.ts';
export { headTurn, isAttentive, DEFAULT_ATTENTION, type HeadTurn, type AttentionOptions } from './attention/head-turn.ts';
// One call that wires them, with the shipped models in unset slots.
export { createPipeline, runPipeline, shippedModelsDir, defaultDetectorPath, defaultStudentPath, type Pipeline, type PipelineSummary, type CreatePipelineOptions, type RunPipelineOptions } from './pipeline.ts';
// Sources.
export { createSource, parseSourceSpec, SOURCE_SCHEMES, type SourceFactory } from './sources/create-source.ts';
export { DEFAULT_CAMERA_SIZE, DEFAULT_CAMERA_FPS, probeVideo, type SourceOptions, type VideoInfo } from './sources/ffmpeg-sources.ts';
export { ImagesSource } from './sources/images-source.ts';
export { WebcamSource } from './sources/webcam-source.ts';
export type { SourceEvent } from './sources/raw-pipe-source.ts';
// Detector, estimator, tracker.
export { BlazeFaceDetector, DEFAULT_BLAZEFACE, type BlazeFaceOptions } from './detectors/blazeface-detector.ts';
export { AgeEstimator } from './estimators/age-estimator.ts';
export { cropFaces } from './estimators/crop-faces.ts';
export { IouTracker, DEFAULT_IOU_TRACKER, type IouTrackerOptions } from './trackers/iou-tracker.ts';
export { ReentryPool, DEFAULT_REENTRY, type ReentryOptions } from './trackers/reentry-matcher.ts';
export { appearanceSignature, signatureDistance, DEFAULT_REENTRY_THRESHOLD, type AppearanceSignature } from './trackers/appearance-signature.ts';
export { AgeSmoother, DEFAULT_AGE_SMOOTHER, type AgeSmootherOptions, type SmoothingMethod } from './trackers/age-smoother.ts';
export { parseAgeBuckets, DEFAULT_AGE_BUCKETS } from './trackers/age-buckets.ts';
export { BucketHold, DEFAULT_BUCKET_HOLD_YEARS, type ShownAge } from './trackers/bucket-hold.ts';
// Audience events (track_start, track_update, track_end, aggregate) and their envelope.
export { AudienceEvents, DEFAULT_AUDIENCE_EVENTS, type AudienceEventsOptions } from './events/audience-events.ts';
export { eventRecord, AUDIENCE_EVENT_TYPES, type AudienceEvent, type AudienceEventType, type TrackStartEvent, type TrackUpdateEvent, type TrackEndEvent, type AggregateEvent } from './events/audience-event.ts';
export { EventEnvelope, defaultDeviceId, type EventEnvelopeOptions } from './events/event-envelope.ts';
// Sinks.
export { JsonLinesSink, frameRecord, faceRecord, type JsonLinesOptions } from './sinks/json-lines-sink.ts';
export { EventsFileSink } from './sinks/events-file-sink.ts';
export { LatencyStats, formatLatencyTable, type LatencySummary, type StageStats } from './sinks/latency-stats.ts';
export { HttpSink, DEFAULT_HTTP_HOST, type HttpSinkOptions } from './sinks/http-sink.ts';
export { MqttSink, type MqttSinkOptions } from './sinks/mqtt-sink.ts';
export { SaveFramesSink, type SaveFramesOptions } from './sinks/save-frames-sink.ts';
export { CalibrationCollector, type CalibrationCollectorOptions } from './sinks/calibration-collector.ts';
// Reports.
export { buildRunReport, type RunReport } from './report/run-report.ts';
export { describeMachine, type MachineInfo } from './report/machine-info.ts';
export { StageClock } from './stage-clock.ts';
// Runtimes, the model contract and errors, shared with the host side.
export { openRunner, type OpenRunnerOptions } from '../core/runtime/open-runner.ts';
export { RUNTIME_NAMES, type ModelRunner, type RuntimeName, type TensorSpec } from '../core/runtime/model-runner.ts';
export { DEFAULT_CROP, cropFace, type Box, type CropSpec, type RgbImage } from '../core/contract/face-crop.ts';
export { parseModelMetadata, readAges, calibrateAge, type ModelMetadata, type AgeReadout, type AgeCalibration, type HeadType } from '../core/contract/model-metadata.ts';
export { normalizePixels, PREPROCESSINGS, type Preprocessing } from '../core/contract/preprocessing.ts';
export { AgekitError, DataError, ModelFormatError, ConversionError, SourceError, UsageError, type AgekitErrorOptions } from '../core/errors.ts';
export { AGEKIT_VERSION } from '../core/version.ts';
