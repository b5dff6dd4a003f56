/**
 * Weight decay as an L2 penalty added to the loss: `decay / 2 * sum(w²)` over the kernels of
 * convolution and dense layers (not biases, not batch-norm scales and shifts). Its gradient is
 * `decay * w`, which for SGD is exactly classic weight decay; for Adam it is L2 regularization
 * (coupled), not AdamW.
 *
 * @example
 * const vars = decayedVariables(model);
 * const loss = tf.add(dataLoss, l2Penalty(vars, 5e-5));
 */
import * as tf from '@tensorflow/tfjs';

/** The trainable kernels (weights whose name ends in `kernel`, including depthwise ones) of a model. */
export function decayedVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.filter((w) => /kernel$/i.test(w.originalName ?? w.name)).map((w) => w.read() as tf.Variable);
}

/** `decay / 2 * sum of squares` of the variables, a scalar (0 when there are none or decay is 0). */
export function l2Penalty(vars: tf.Variable[], decay: number): tf.Scalar {
  if (decay <= 0 || vars.length === 0) return tf.scalar(0);
  const sums = vars.map((v) => tf.sum(tf.square(v)));
  return tf.mul(tf.addN(sums), decay / 2) as tf.Scalar;
}
