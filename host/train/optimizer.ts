/**
 * Optimizers of `agekit train` and their state on disk. The slot variables (SGD momentum
 * accumulators, Adam's first and second moments) and the iteration count are saved with the
 * last checkpoint, so `--resume` continues exactly where the run stopped.
 *
 * @example
 * const opt = createOptimizer({ optimizer: 'sgd', learningRate: 0.005, momentum: 0.9 });
 * const files = await optimizerStateFiles(opt);       // { 'optimizer.json', 'optimizer.bin' }
 * await restoreOptimizerState(opt, dir);               // after a restart
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '../../core/errors.ts';

export type OptimizerName = 'sgd' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam'];

export const OPTIMIZER_JSON = 'optimizer.json';
export const OPTIMIZER_BIN = 'optimizer.bin';

export interface OptimizerOptions {
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD momentum; 0 is plain SGD. Ignored by Adam. Default 0.9. */
  momentum?: number;
}

/** A tfjs optimizer for the options: SGD (with momentum when > 0) or Adam (beta 0.9/0.999). */
export function createOptimizer(o: OptimizerOptions): tf.Optimizer {
  if (o.optimizer === 'adam') return tf.train.adam(o.learningRate, 0.9, 0.999, 1e-7);
  const m = o.momentum ?? 0.9;
  return m > 0 ? tf.train.momentum(o.learningRate, m) : tf.train.sgd(o.learningRate);
}

/** Change an optimizer's learning rate between epochs (tfjs keeps it in different places). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (v: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr); // SGD, momentum: a cached -lr scalar
  else o.learningRate = lr; // Adam reads the field each step
}

/** The optimizer's state (iterations + slot variables) as the two files of a checkpoint. */
export async function optimizerStateFiles(opt: tf.Optimizer): Promise<Record<string, string | Uint8Array>> {
  const weights = await opt.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights made a fresh scalar for the iteration count; the slot variables are the optimizer's own.
  const iter = weights.find((w) => w.name === 'iter');
  iter?.tensor.dispose();
  const buffer = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  const json = { className: (opt.constructor as unknown as { className?: string }).className ?? opt.getClassName(), config: opt.getConfig(), specs };
  return { [OPTIMIZER_JSON]: JSON.stringify(json), [OPTIMIZER_BIN]: new Uint8Array(buffer) };
}

/**
 * Load the state written by {@link optimizerStateFiles} into a fresh optimizer of the same kind.
 * The slot order follows the trainable variables' order, which is the model's own.
 */
export async function restoreOptimizerState(opt: tf.Optimizer, dir: string): Promise<void> {
  const jsonPath = join(dir, OPTIMIZER_JSON), binPath = join(dir, OPTIMIZER_BIN);
  let json: { className: string; specs: tf.io.WeightsManifestEntry[] };
  let bin: Buffer;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
    bin = await readFile(binPath);
  } catch (err) {
    throw new ModelFormatError(`optimizer state cannot be read (${(err as Error).message})`, { where: dir, hint: 'this checkpoint cannot resume training; start a new run' });
  }
  const kind = (opt.constructor as unknown as { className?: string }).className ?? opt.getClassName();
  if (json.className !== kind) {
    throw new ModelFormatError(`optimizer state is for ${json.className}, the run uses ${kind}`, { where: jsonPath, hint: 'resume with the optimizer the run was started with' });
  }
  const data = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  let map: tf.NamedTensorMap;
  try {
    map = tf.io.decodeWeights(data, json.specs);
  } catch (err) {
    throw new ModelFormatError(`optimizer state does not match its manifest (${(err as Error).message})`, { where: binPath, hint: 'the file is truncated; start a new run' });
  }
  const list = json.specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
  await opt.setWeights(list);
  // setWeights copies each tensor into a new variable: the decoded tensors are ours to free.
  tf.dispose(Object.values(map));
}
