/**
 * Training targets: the hook between a batch and the loss. The training loop knows only
 * {@link TargetProvider}; ground truth (this file) and distillation (a teacher's ages or
 * distributions, softened by a temperature and mixed with ground truth) are providers, so a new
 * kind of target never touches the loop.
 *
 * @example
 * const targets = groundTruthTargets('dex');
 * const t = targets.makeTargets(batch);            // { dist: [n, 101] }
 * const loss = targets.loss(model.apply(x), t);    // inside the gradient tape
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../core/errors.ts';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import type { Batch } from '../data/batch-stream.ts';

/** Number of age bins of the dex head: ages 0..100. */
export const DEX_BINS = 101;
/** Probabilities are clipped to this before log, so a zero never gives -Infinity. */
export const LOG_EPSILON = 1e-7;

export interface TargetProvider {
  /** Short name recorded in the run's config (`regression-mse`, `dex-cross-entropy`, ...). */
  readonly id: string;
  /** True when every training sample must carry a ground-truth age. */
  readonly needsAges: boolean;
  /**
   * Target tensors of one batch (names are the provider's own). Called outside the gradient
   * tape; the loop disposes every tensor returned after the step.
   */
  makeTargets(batch: Batch): tf.NamedTensorMap;
  /**
   * Mean loss over the batch. `output` is the model output: [n, 1] ages (regression head,
   * clipped 0..100) or [n, 101] probabilities (dex head). Runs inside the tape: use tf ops only.
   */
  loss(output: tf.Tensor, targets: tf.NamedTensorMap): tf.Scalar;
  /** Settings for config.json. */
  describe(): Record<string, unknown>;
}

function requireAges(batch: Batch, id: string): void {
  for (let i = 0; i < batch.n; i++) {
    if (!Number.isFinite(batch.ages[i])) {
      throw new DataError(`training sample has no age (${batch.ages[i]})`, { where: batch.samples[i]?.path ?? `batch item ${i}`, hint: `the ${id} targets need labelled data; use a labelled dataset or a teacher` });
    }
  }
}

/**
 * One-hot (sigma 0) or Gaussian label distribution over ages 0..bins-1 for each age, [n, bins]
 * row-major. Ages are clamped to the bins.
 */
export function ageDistributions(ages: ArrayLike<number>, bins = DEX_BINS, sigma = 0): Float32Array {
  const out = new Float32Array(ages.length * bins);
  for (let i = 0; i < ages.length; i++) {
    const a = Math.min(bins - 1, Math.max(0, ages[i]));
    if (sigma <= 0) { out[i * bins + Math.round(a)] = 1; continue; }
    let sum = 0;
    for (let k = 0; k < bins; k++) { const v = Math.exp(-((k - a) ** 2) / (2 * sigma * sigma)); out[i * bins + k] = v; sum += v; }
    for (let k = 0; k < bins; k++) out[i * bins + k] /= sum;
  }
  return out;
}

/** Mean squared error between [n, 1] predicted ages and [n] or [n, 1] target ages. */
export function mseLoss(output: tf.Tensor, ages: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.reshape(output, [-1]), tf.reshape(ages, [-1])))) as tf.Scalar;
}

/** Mean cross-entropy between target distributions [n, bins] and predicted probabilities [n, bins]. */
export function crossEntropyLoss(probs: tf.Tensor, target: tf.Tensor): tf.Scalar {
  const logp = tf.log(tf.clipByValue(probs, LOG_EPSILON, 1));
  return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), -1))) as tf.Scalar;
}

/** Regression head: MSE against the true age. */
export function regressionTargets(): TargetProvider {
  return {
    id: 'regression-mse',
    needsAges: true,
    makeTargets(batch) {
      requireAges(batch, this.id);
      return { age: tf.tensor1d(batch.ages.subarray(0, batch.n)) };
    },
    loss: (output, t) => mseLoss(output, t.age),
    describe: () => ({ loss: 'mse', target: 'true age' }),
  };
}

export interface DexTargetOptions {
  /** Standard deviation (years) of a Gaussian label distribution; 0 = one-hot. Default 0. */
  labelSigma?: number;
}

/** Dex head: cross-entropy against the one-hot (or Gaussian) distribution of the true age over 101 bins. */
export function dexTargets(options: DexTargetOptions = {}): TargetProvider {
  const sigma = options.labelSigma ?? 0;
  return {
    id: 'dex-cross-entropy',
    needsAges: true,
    makeTargets(batch) {
      requireAges(batch, this.id);
      return { dist: tf.tensor2d(ageDistributions(batch.ages.subarray(0, batch.n), DEX_BINS, sigma), [batch.n, DEX_BINS]) };
    },
    loss: (output, t) => crossEntropyLoss(output, t.dist),
    describe: () => ({ loss: 'cross-entropy', target: sigma > 0 ? `gaussian label distribution, sigma ${sigma}` : 'one-hot true age', bins: DEX_BINS }),
  };
}

/** The ground-truth provider of a head. */
export function groundTruthTargets(head: HeadType): TargetProvider {
  return head === 'dex' ? dexTargets() : regressionTargets();
}
