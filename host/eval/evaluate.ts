/**
 * Evaluation: run an {@link AgePredictor} over a labelled dataset (no augmentation, the model's
 * own input size, preprocessing and crop), collect one prediction per sample and compute the
 * metrics. Images/s is measured twice: model time only, and end to end with decoding.
 *
 * @example
 * const r = await evaluateAgePredictor(predictor, await loadDataset('utkface:data:split=val'));
 * console.log(r.metrics.mae, r.imagesPerSecond);
 */
import { DataError } from '../../core/errors.ts';
import type { Dataset, Sample } from '../data/dataset.ts';
import type { CropWorkerPool } from '../data/crop-worker-pool.ts';
import { batchStream } from '../data/batch-stream.ts';
import type { Batch } from '../data/batch-stream.ts';
import type { AgePredictor } from './age-predictor.ts';
import { ageMetrics, type AgeMetrics } from './metrics.ts';

export interface EvaluateOptions {
  /** Default 32. */
  batchSize?: number;
  /** Called after each batch with the samples done so far and the total. */
  onBatch?: (done: number, total: number) => void;
  /** Called for each sample that cannot be decoded (it is skipped and counted). */
  onSkip?: (sample: Sample, reason: string) => void;
  /** Crop workers to use (a training run passes its own, with its decoded-image cache); default: the stream starts its own. */
  pool?: CropWorkerPool;
}

export interface EvalResult {
  metrics: AgeMetrics;
  /** Predicted and true ages, one per evaluated sample, in `samples` order. */
  predictions: Float32Array;
  truths: Float32Array;
  samples: Sample[];
  /** Samples skipped because their image could not be read, per reason. */
  skipped: Record<string, number>;
  /** Wall time of the whole evaluation, seconds. */
  seconds: number;
  /** Images per second of the model alone (time inside predict). */
  imagesPerSecond: number;
  /** Images per second end to end (decode, crop, normalize, predict). */
  pipelineImagesPerSecond: number;
}

/**
 * Predict every sample of `dataset` and score the predictions. Every sample needs an age:
 * an unlabelled dataset is a DataError naming the first unlabelled file.
 */
export async function evaluateAgePredictor(predictor: AgePredictor, dataset: Dataset, options: EvaluateOptions = {}): Promise<EvalResult> {
  const unlabelled = dataset.samples.filter((s) => s.age === undefined || !Number.isFinite(s.age));
  if (unlabelled.length > 0) {
    throw new DataError(`${unlabelled.length} of ${dataset.samples.length} samples have no age (first: ${unlabelled[0].path})`, { where: dataset.spec, hint: 'evaluate on a labelled dataset' });
  }
  if (dataset.samples.length === 0) throw new DataError('has no samples to evaluate', { where: dataset.spec, hint: 'check the spec and its :split=' });
  const { meta } = predictor;
  const total = dataset.samples.length;
  const preds: number[] = [], truths: number[] = [];
  const samples: Sample[] = [];
  const skipped: Record<string, number> = {};
  let modelMs = 0;
  const t0 = performance.now();
  const stream = batchStream(dataset, {
    inputSize: meta.inputSize, preprocessing: meta.preprocessing, crop: meta.crop, augmentation: 'no',
    batchSize: options.batchSize ?? 32, shuffle: false, pool: options.pool,
    onSkip: (s, reason) => { skipped[reason] = (skipped[reason] ?? 0) + 1; options.onSkip?.(s, reason); },
  });
  for await (const batch of stream as AsyncIterable<Batch>) {
    const t = performance.now();
    const ages = await predictor.predict(batch);
    modelMs += performance.now() - t;
    for (let i = 0; i < batch.n; i++) { preds.push(ages[i]); truths.push(batch.ages[i]); samples.push(batch.samples[i]); }
    options.onBatch?.(samples.length, total);
  }
  const seconds = (performance.now() - t0) / 1000;
  const predictions = Float32Array.from(preds), truth = Float32Array.from(truths);
  return {
    metrics: ageMetrics(predictions, truth), predictions, truths: truth, samples, skipped, seconds,
    imagesPerSecond: samples.length / Math.max(1e-9, modelMs / 1000),
    pipelineImagesPerSecond: samples.length / Math.max(1e-9, seconds),
  };
}
