/**
 * An exponential moving average of a model's weights while it trains (Polyak averaging, as
 * TensorFlow's ExponentialMovingAverage and timm's ModelEma): validation and the saved checkpoints
 * use the average, the optimizer keeps stepping the raw weights. Late in a run the raw weights
 * wander around a minimum from step to step, and the batch-norm moving statistics with them; the
 * average sits nearer its centre, so the validation score stops jumping between epochs.
 *
 * Every weight is averaged, batch-norm moving means and variances included. The running values
 * live in plain Float32Arrays: one multiply-add per parameter per step, no tensors allocated.
 *
 * @example
 * const average = new WeightAverage(model, 0.999);
 * // after each optimizer step:
 * average.update(model);
 * const mae = await average.applied(model, () => validate(model));
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '../../core/errors.ts';
import type { CheckpointFiles } from '../checkpoint/checkpoint.ts';

/** In last/: the raw weights the optimizer continues from, when the model files hold the average. */
export const TRAINING_WEIGHTS_JSON = 'training-weights.json';
export const TRAINING_WEIGHTS_BIN = 'training-weights.bin';

function readWeights(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

function writeWeights(model: tf.LayersModel, values: Float32Array[]): void {
  const tensors = model.weights.map((w, i) => tf.tensor(values[i], w.read().shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

export class WeightAverage {
  readonly decay: number;
  /** Updates folded in so far (sets the warm-up, see effectiveDecay). */
  updates: number;
  private readonly values: Float32Array[];

  /** Starts from the model's current weights. `updates` > 0 when resuming a run. */
  constructor(model: tf.LayersModel, decay: number, updates = 0) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`weight-average decay must be in (0, 1), got ${decay}`);
    this.decay = decay;
    this.updates = updates;
    this.values = readWeights(model);
  }

  /**
   * The decay of the next update: min(decay, (1 + n) / (10 + n)) after n updates, so the first
   * few hundred steps (far from any minimum) are not remembered for thousands of steps.
   */
  effectiveDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  /** Fold the model's current weights in. */
  update(model: tf.LayersModel): void {
    const d = this.effectiveDecay();
    const weights = model.weights;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i].read().dataSync() as Float32Array;
      const avg = this.values[i];
      for (let j = 0; j < avg.length; j++) avg[j] = d * avg[j] + (1 - d) * w[j];
    }
    this.updates++;
  }

  /** Run `fn` with the averaged weights in the model, then put the raw weights back exactly. */
  async applied<T>(model: tf.LayersModel, fn: () => Promise<T> | T): Promise<T> {
    const raw = readWeights(model);
    writeWeights(model, this.values);
    try {
      return await fn();
    } finally {
      writeWeights(model, raw);
    }
  }

  /** The raw (training) weights of the model as checkpoint files, for a checkpoint whose model files hold the average. */
  static async trainingWeightFiles(model: tf.LayersModel): Promise<CheckpointFiles> {
    const named = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
    const { data, specs } = await tf.io.encodeWeights(named);
    const buffer = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
    return { [TRAINING_WEIGHTS_JSON]: JSON.stringify({ specs }), [TRAINING_WEIGHTS_BIN]: new Uint8Array(buffer) };
  }

  /**
   * On resume: the checkpoint's model files hold the average (what was validated); its training
   * weights go back into the model. @returns the average, restarted from the checkpoint's values
   */
  static async resume(model: tf.LayersModel, dir: string, decay: number, updates: number): Promise<WeightAverage> {
    const average = new WeightAverage(model, decay, updates);
    const jsonPath = join(dir, TRAINING_WEIGHTS_JSON), binPath = join(dir, TRAINING_WEIGHTS_BIN);
    let specs: tf.io.WeightsManifestEntry[];
    let bin: Buffer;
    try {
      specs = (JSON.parse(await readFile(jsonPath, 'utf8')) as { specs: tf.io.WeightsManifestEntry[] }).specs;
      bin = await readFile(binPath);
    } catch (err) {
      throw new ModelFormatError(`training weights cannot be read (${(err as Error).message})`, { where: dir, hint: 'this checkpoint of a --weight-average run cannot resume training; start a new run' });
    }
    let map: tf.NamedTensorMap;
    try {
      map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, specs);
    } catch (err) {
      throw new ModelFormatError(`training weights do not match their manifest (${(err as Error).message})`, { where: binPath, hint: 'the file is truncated; start a new run' });
    }
    try {
      const tensors = model.weights.map((w) => {
        const t = map[w.originalName];
        if (!t) throw new ModelFormatError(`has no training weight for ${w.originalName}`, { where: jsonPath, hint: 'the checkpoint is from another network; start a new run' });
        return t;
      });
      model.setWeights(tensors);
    } finally {
      tf.dispose(Object.values(map));
    }
    return average;
  }
}
