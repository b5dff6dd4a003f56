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
import { calibrateAge, checkMetadataAgainstModel, readAges, type ModelMetadata } from '../../core/contract/model-metadata.ts';
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

function calibrated(ages: Float32Array, meta: ModelMetadata): Float32Array {
  if (meta.ageCalibration) for (let i = 0; i < ages.length; i++) ages[i] = calibrateAge(ages[i], meta.ageCalibration);
  return ages;
}

/** A predictor over a tfjs LayersModel (inference mode). `close` disposes the model unless `keepModel`. */
export function tfjsAgePredictor(model: tf.LayersModel, meta: ModelMetadata, options: { name?: string; keepModel?: boolean } = {}): AgePredictor {
  checkMetadataAgainstModel(meta, { inputs: model.inputs.map((t) => t.shape), outputs: model.outputs.map((t) => t.shape) }, options.name ?? meta.net);
  const [h, w] = meta.inputSize;
  return {
    name: options.name ?? meta.net,
    meta,
    async predict(batch) {
      const out = tf.tidy(() => {
        const x = tf.tensor4d(batch.x.subarray(0, batch.n * h * w * 3), [batch.n, h, w, 3]);
        const y = model.predict(x);
        return Array.isArray(y) ? y[meta.readout.outputIndex] : y;
      });
      const data = out.dataSync();
      out.dispose();
      return calibrated(readAges(data, batch.n, meta.readout), meta);
    },
    async close() { if (!options.keepModel) model.dispose(); },
  };
}

/** A predictor over a {@link ModelRunner} (for example a .tflite file in tfjs-tflite-node). */
export function runnerAgePredictor(runner: ModelRunner, meta: ModelMetadata, name: string): AgePredictor {
  checkMetadataAgainstModel(meta, { inputs: runner.inputs.map((s) => s.shape), outputs: runner.runtime === 'tfjs' ? undefined : runner.outputs.map((s) => s.shape) }, name);
  const [h, w] = meta.inputSize;
  return {
    name,
    meta,
    async predict(batch) {
      const outputs = await runner.run([batch.x.subarray(0, batch.n * h * w * 3)], batch.n);
      return calibrated(readAges(outputs[meta.readout.outputIndex], batch.n, meta.readout), meta);
    },
    close: () => runner.close(),
  };
}
