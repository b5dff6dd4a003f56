/**
 * The one thing evaluation needs from a model: ages for a batch of preprocessed crops. A tfjs
 * checkpoint, a .tflite file in the native runtime or anything else that implements
 * {@link AgePredictor} can be evaluated, so the file deployed is the file measured.
 *
 * @example
 * const predictor = tfjsAgePredictor(model, meta);
 * const ages = await predictor.predict(batch); // Float32Array [batch.n]
 */
import * as tf from '@tensorflow/tfjs';
import { checkMetadataAgainstModel, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { runAgeModel } from '../../core/runtime/age-model.ts';
import { TfjsRunner } from '../../core/runtime/tfjs-runner.ts';
import type { ModelRunner } from '../../core/runtime/model-runner.ts';
import type { Batch } from '../data/batch-stream.ts';

export interface AgePredictor {
  /** What is being measured, for reports (`runs/a/best (tfjs wasm)`). */
  readonly name: string;
  /** How to prepare its input: input size, preprocessing, crop; and how to read its output. */
  readonly meta: ModelMetadata;
  /** Ages (years) of the batch's first `batch.n` items, after the metadata's age calibration. */
  predict(batch: Batch): Promise<Float32Array>;
  /** Release the model. */
  close(): Promise<void>;
}

/** A predictor over a tfjs LayersModel in memory (inference mode). `close` disposes the model unless `keepModel`. */
export function tfjsAgePredictor(model: tf.LayersModel, meta: ModelMetadata, options: { name?: string; keepModel?: boolean } = {}): AgePredictor {
  // The model's own shapes (with their unknown batch) are checked here; the runner's are not needed again.
  checkMetadataAgainstModel(meta, { inputs: model.inputs.map((t) => t.shape), outputs: model.outputs.map((t) => t.shape) }, options.name ?? meta.net);
  return runnerAgePredictor(TfjsRunner.fromModel(model, { keepModel: options.keepModel }), meta, options.name ?? meta.net);
}

/** A predictor over a {@link ModelRunner} (a .tflite file in tfjs-tflite-node, a checkpoint in tfjs, ...). */
export function runnerAgePredictor(runner: ModelRunner, meta: ModelMetadata, name: string): AgePredictor {
  checkMetadataAgainstModel(meta, { inputs: runner.inputs.map((s) => s.shape), outputs: runner.runtime === 'tfjs' ? undefined : runner.outputs.map((s) => s.shape) }, name);
  const [h, w] = meta.inputSize;
  return {
    name,
    meta,
    async predict(batch) {
      return Float32Array.from((await runAgeModel(runner, meta, batch.x.subarray(0, batch.n * h * w * 3), batch.n, name)).ages);
    },
    close: () => runner.close(),
  };
}
