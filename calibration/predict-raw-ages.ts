/**
 * Raw (uncalibrated) age predictions of a model over a labelled dataset, through host/eval's
 * predictors and evaluation loop: the inputs a calibration is fitted on. Any age calibration
 * already in the model's metadata is left out, so refitting never stacks corrections.
 *
 * @example
 * const r = await predictRawAges('runs/m64', await loadDataset('utkface:data:split=val'));
 * fitAgeCalibration(r.predictions, r.truths);
 */
import type { ModelMetadata } from '../core/contract/model-metadata.ts';
import { isTflitePath, openRunner } from '../core/runtime/open-runner.ts';
import type { RuntimeName } from '../core/runtime/model-runner.ts';
import { loadCheckpoint } from '../host/checkpoint/checkpoint.ts';
import type { Dataset } from '../host/data/dataset.ts';
import { runnerAgePredictor, tfjsAgePredictor, type AgePredictor } from '../host/eval/age-predictor.ts';
import { evaluateAgePredictor, type EvalResult } from '../host/eval/evaluate.ts';
import { readModelMetadata } from './model-metadata-file.ts';

export interface PredictRawOptions {
  /** For .tflite files: `tflite` (native, default) or `tflite-wasm`. */
  runtime?: RuntimeName;
  threads?: number;
  batchSize?: number;
  onBatch?: (done: number, total: number) => void;
}

function withoutCalibration(meta: ModelMetadata): ModelMetadata {
  const { ageCalibration: _dropped, ...rest } = meta;
  return rest;
}

/** Open a checkpoint/run folder (tfjs, current backend) or a .tflite (native runtime) without its age calibration. */
export async function openRawAgePredictor(path: string, options: PredictRawOptions = {}): Promise<AgePredictor> {
  if (isTflitePath(path)) {
    const { meta } = await readModelMetadata(path);
    const runtime = options.runtime ?? 'tflite';
    const runner = await openRunner({ modelPath: path, runtime, threads: options.threads });
    return runnerAgePredictor(runner, withoutCalibration(meta), `${path} (${runtime})`);
  }
  const { model, meta, dir } = await loadCheckpoint(path);
  return tfjsAgePredictor(model, withoutCalibration(meta), { name: dir });
}

/** Predict every sample of a labelled dataset with the raw model. */
export async function predictRawAges(path: string, dataset: Dataset, options: PredictRawOptions = {}): Promise<EvalResult & { predictorName: string }> {
  const predictor = await openRawAgePredictor(path, options);
  try {
    const r = await evaluateAgePredictor(predictor, dataset, { batchSize: options.batchSize, onBatch: options.onBatch });
    return { ...r, predictorName: predictor.name };
  } finally {
    await predictor.close();
  }
}
