// agekit's batch-norm gradient equals tfjs's own, input by input, on random data and in a real
// network, and does not leak tensors.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGradient, unregisterBatchNormGradient } from '../../../host/train/batch-norm-gradient.ts';
import { buildNet } from '../../../host/nets/index.ts';

test.before(async () => { await tf.setBackend('cpu'); });

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(b), 1e-3))).dataSync()[0]);
}

// The loss weights every output differently so no gradient is trivially zero.
function bnGrads(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, scale: tf.Tensor1D, offset: tf.Tensor1D, w: tf.Tensor4D) {
  return tf.grads((xx: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
    tf.sum(tf.mul(tf.batchNorm(xx as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), w)))([x, mean, variance, scale, offset]);
}

for (const shape of [[2, 5, 7, 3], [4, 8, 8, 16], [1, 1, 1, 8]] as [number, number, number, number][]) {
  test.serial(`x=[${shape}]: gradients of x, mean, variance, scale and offset match tfjs within 1e-4`, (t) => {
    const c = shape[3];
    const x = tf.randomNormal(shape, 3, 2, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal(shape, 0, 1, 'float32', 2) as tf.Tensor4D;
    const mean = tf.randomNormal([c], 1, 1, 'float32', 3) as tf.Tensor1D;
    const variance = tf.randomUniform([c], 0.5, 3, 'float32', 4) as tf.Tensor1D;
    const scale = tf.randomNormal([c], 1, 0.3, 'float32', 5) as tf.Tensor1D;
    const offset = tf.randomNormal([c], 0, 1, 'float32', 6) as tf.Tensor1D;
    const theirs = bnGrads(x, mean, variance, scale, offset, w);
    t.true(registerBatchNormGradient());
    t.false(registerBatchNormGradient(), 'a second call changes nothing');
    const before = tf.memory().numTensors;
    const ours = bnGrads(x, mean, variance, scale, offset, w);
    t.is(tf.memory().numTensors, before + ours.length, 'only the gradients themselves remain');
    unregisterBatchNormGradient();
    const names = ['x', 'mean', 'variance', 'scale', 'offset'];
    ours.forEach((g, i) => t.true(maxRelDiff(g, theirs[i]) < 1e-4, `${names[i]}: ${maxRelDiff(g, theirs[i])}`));
    tf.dispose([x, w, mean, variance, scale, offset, ...theirs, ...ours]);
  });
}

test.serial('mobilenet64 in training mode: every weight gradient matches with the new batch-norm gradient', (t) => {
  const model = buildNet('mobilenet64', { head: 'regression', seed: 5 });
  const x = tf.randomNormal([2, 64, 64, 3], 0, 50, 'float32', 7);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
  const theirs = tf.variableGrads(loss, vars);
  registerBatchNormGradient();
  const ours = tf.variableGrads(loss, vars);
  unregisterBatchNormGradient();
  // Some gradients are mathematically zero (a batch-norm shift followed by a linear conv and
  // another batch norm cancels), so both sides hold float noise there: compare every difference
  // with the scale of the network's gradients, not with each tensor's own.
  const absMax = (g: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]);
  const scale = Math.max(...vars.map((v) => absMax(theirs.grads[v.name])));
  let worst = 0, worstName = '';
  for (const v of vars) {
    const d = tf.tidy(() => absMax(tf.sub(ours.grads[v.name], theirs.grads[v.name]))) / scale;
    if (d > worst) { worst = d; worstName = v.name; }
  }
  t.true(worst < 1e-5, `largest difference ${worst} of the gradient scale ${scale}, at ${worstName}`);
  t.log(`largest difference ${worst.toExponential(2)} of the gradient scale, at ${worstName}`);
  tf.dispose([x, theirs.value, ours.value, ...Object.values(theirs.grads), ...Object.values(ours.grads)]);
  model.dispose();
});
