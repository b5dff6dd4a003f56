/**
 * The two age heads put on top of every backbone's pooled features.
 * `regression` (the seed's): Dense(1) then ReLU clipped to 0..100, trained with MSE.
 * `dex`: Dense(101) then softmax over ages 0..100, trained with cross-entropy; the age is the
 * expected value (core/contract readAges with defaultReadout('dex')).
 *
 * @example
 * const out = attachHead(builder, features, 'dex'); // [batch, 101]
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import type { NetBuilder } from './net-builder.ts';

/** Number of age bins of the `dex` head: ages 0..100. */
export const DEX_BINS = 101;

/** Upper clip of the regression head's output, in years. */
export const MAX_REGRESSION_AGE = 100;

/** Names of the layers a head adds; pretrained backbones are not expected to have them. */
export const HEAD_LAYER_NAMES: Record<HeadType, readonly string[]> = {
  regression: ['age_dense', 'age'],
  dex: ['age_logits', 'age_softmax'],
};

/** The tfjs loss name each head trains with. */
export const HEAD_LOSS: Record<HeadType, 'meanSquaredError' | 'categoricalCrossentropy'> = {
  regression: 'meanSquaredError',
  dex: 'categoricalCrossentropy',
};

/** Output units of a head: 1 for regression, {@link DEX_BINS} for dex. */
export function headUnits(head: HeadType): number {
  return head === 'dex' ? DEX_BINS : 1;
}

/**
 * Attach a head to pooled features [batch, C] (or [batch, 1, 1, C], flattened first).
 * @returns [batch, 1] ages in 0..100 for `regression`; [batch, 101] probabilities for `dex`.
 */
export function attachHead(b: NetBuilder, features: tf.SymbolicTensor, head: HeadType): tf.SymbolicTensor {
  const x = features.shape.length > 2 ? b.flatten(features, 'features_flatten') : features;
  if (head === 'dex') {
    const logits = b.dense(x, DEX_BINS, 'age_logits');
    return b.softmax(logits, 'age_softmax');
  }
  const y = b.dense(x, 1, 'age_dense');
  // ReLU with maxValue: min(max(y, 0), 100) in one standard layer (TFLite: RELU + MINIMUM).
  return b.clippedRelu(y, MAX_REGRESSION_AGE, 'age');
}
