/**
 * agekit device runtime: the public API. Anything not exported here is internal.
 *
 * @example
 * import { createPipeline, JsonLinesSink } from 'agekit/device';
 * const p = await createPipeline({ source: 'v4l2:/dev/video0', sinks: [JsonLinesSink.toStream(process.stdout)] });
 * await p.run(new AbortController().signal);
 */
export type { Frame, Source, Detector, Estimator, Tracker, Sink, FrameResult, FaceBox, FaceCrop, AgeEstimate, TrackedFace, EndedTrack, Stage } from './stages.ts';
export { createPipeline, runPipeline, type Pipeline, type PipelineSummary, type CreatePipelineOptions } from './pipeline.ts';
export { createSource, SOURCE_SCHEMES, type SourceFactory } from './sources/create-source.ts';
export type { SourceOptions } from './sources/ffmpeg-sources.ts';
export { BlazeFaceDetector, type BlazeFaceOptions } from './detectors/blazeface-detector.ts';
export { AgeEstimator } from './estimators/age-estimator.ts';
export { cropFaces } from './estimators/crop-faces.ts';
export { IouTracker, type IouTrackerOptions } from './trackers/iou-tracker.ts';
export { parseAgeBuckets, DEFAULT_AGE_BUCKETS } from './trackers/age-buckets.ts';
export { JsonLinesSink } from './sinks/json-lines-sink.ts';
export { LatencyStats } from './sinks/latency-stats.ts';
export { HttpSink } from './sinks/http-sink.ts';
export { MqttSink } from './sinks/mqtt-sink.ts';
export { openRunner, type OpenRunnerOptions } from '../core/runtime/open-runner.ts';
export type { ModelRunner, RuntimeName } from '../core/runtime/model-runner.ts';
export { StageClock } from './stage-clock.ts';
