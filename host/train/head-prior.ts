/**
 * Start the head at the label prior: the regression output's bias at the mean training age,
 * the dex logits' biases at the log of the (smoothed) training age histogram. The first steps
 * then refine a sensible guess instead of climbing out of a ReLU clipped at 0, which matters
 * most for short runs. Only the bias of the last Dense layer changes.
 *
 * @example
 * initHeadPrior(model, 'regression', trainAges); // bias := mean age
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';

/** @returns a description of what was set, or undefined when the model has no Dense output layer with a bias. */
export function initHeadPrior(model: tf.LayersModel, head: HeadType, ages: ArrayLike<number>): string | undefined {
  const dense = [...model.layers].reverse().find((l) => l.getClassName() === 'Dense');
  if (!dense || ages.length === 0) return undefined;
  const weights = dense.getWeights();
  // getWeights hands out the layer's own variables: never dispose them.
  if (weights.length !== 2) return undefined;
  const units = weights[1].shape[0];
  let bias: Float32Array;
  let what: string;
  if (head === 'regression' && units === 1) {
    let sum = 0;
    for (let i = 0; i < ages.length; i++) sum += ages[i];
    bias = Float32Array.of(sum / ages.length);
    what = `regression bias = mean training age ${bias[0].toFixed(2)}`;
  } else if (head === 'dex') {
    const counts = new Float64Array(units).fill(1); // add-one smoothing: no bin starts at -Infinity
    for (let i = 0; i < ages.length; i++) counts[Math.min(units - 1, Math.max(0, Math.round(ages[i])))]++;
    const total = counts.reduce((a, b) => a + b, 0);
    bias = Float32Array.from(counts, (c) => Math.log(c / total));
    what = `dex biases = log of the training age histogram (${units} bins)`;
  } else {
    return undefined;
  }
  const b = tf.tensor1d(bias);
  dense.setWeights([weights[0], b]);
  b.dispose();
  return what;
}
