// The step learning-rate schedule, the target distributions and losses, and the L2 penalty,
// against values computed by hand.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../../../core/errors.ts';
import { learningRateAt, parseLrSchedule, formatLrSchedule } from '../../../host/train/lr-schedule.ts';
import { ageDistributions, crossEntropyLoss, mseLoss, DEX_BINS } from '../../../host/train/targets.ts';
import { l2Penalty } from '../../../host/train/weight-decay.ts';

test.before(async () => { await tf.setBackend('cpu'); });

test('--lr 0.005:0.2:20 starts at 0.005 and multiplies by 0.2 every 20 epochs', (t) => {
  const s = parseLrSchedule('0.005:0.2:20');
  t.deepEqual(s, { initial: 0.005, factor: 0.2, stepEpochs: 20 });
  t.is(learningRateAt(s, 1), 0.005);
  t.is(learningRateAt(s, 20), 0.005);
  t.true(Math.abs(learningRateAt(s, 21) - 0.001) < 1e-12);
  t.true(Math.abs(learningRateAt(s, 41) - 0.0002) < 1e-12);
  t.is(formatLrSchedule(s), '0.005:0.2:20');
  t.deepEqual(parseLrSchedule('0.01'), { initial: 0.01, factor: 1, stepEpochs: 1 });
});

test('malformed --lr values are usage errors naming the flag and the value', (t) => {
  for (const bad of ['', 'abc', '0.1:x:3', '-1:0.5:2', '0.1:0.5:0', '0.1:0.5:2.5', '0.1:0.5:2:9']) {
    t.throws(() => parseLrSchedule(bad), { instanceOf: UsageError, message: new RegExp(`--lr: .*got "${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`) }, bad);
  }
});

test('dex targets: one-hot at the rounded age, ages clamped to 0..100; Gaussian ones sum to 1 and peak at the age', (t) => {
  const oneHot = ageDistributions([34.4, 116, -2], DEX_BINS, 0);
  t.is(oneHot[34], 1);
  t.is(oneHot[DEX_BINS + 100], 1);
  t.is(oneHot[2 * DEX_BINS + 0], 1);
  t.is(oneHot.reduce((a, b) => a + b, 0), 3);
  const g = ageDistributions([40], DEX_BINS, 3);
  t.true(Math.abs(g.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  t.is(g.indexOf(Math.max(...g)), 40);
  t.true(Math.abs(g[37] / g[40] - Math.exp(-9 / 18)) < 1e-5);
});

test('MSE and cross-entropy losses equal their hand-computed values', (t) => {
  const mse = mseLoss(tf.tensor2d([[30], [50]]), tf.tensor1d([33, 46]));
  t.true(Math.abs(mse.dataSync()[0] - (9 + 16) / 2) < 1e-5);
  const probs = tf.tensor2d([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]);
  const target = tf.tensor2d([[1, 0, 0], [0, 0.5, 0.5]]);
  const ce = crossEntropyLoss(probs, target).dataSync()[0];
  t.true(Math.abs(ce - (-Math.log(0.5) + -(0.5 * Math.log(0.8) + 0.5 * Math.log(0.1))) / 2) < 1e-5);
});

test('the L2 penalty is decay/2 times the sum of squares, and 0 without decay', (t) => {
  const a = tf.variable(tf.tensor1d([1, -2])), b = tf.variable(tf.tensor2d([[3]]));
  t.true(Math.abs(l2Penalty([a, b], 0.1).dataSync()[0] - 0.05 * (1 + 4 + 9)) < 1e-6);
  t.is(l2Penalty([a, b], 0).dataSync()[0], 0);
  a.dispose(); b.dispose();
});
