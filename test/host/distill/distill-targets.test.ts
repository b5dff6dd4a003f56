// Distillation targets: the loss formulas at their limits, and a short real distillation run that moves a student towards the teacher.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { registerWasmTrainingKernels } from '../../../host/kernels/wasm/register.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { batchStream, type Batch } from '../../../host/data/batch-stream.ts';
import type { Sample } from '../../../host/data/dataset.ts';
import { buildNet } from '../../../host/nets/index.ts';
import { createTrainStep } from '../../../host/train/train-step.ts';
import { createOptimizer } from '../../../host/train/optimizer.ts';
import { dexTargets, regressionTargets, DEX_BINS } from '../../../host/train/targets.ts';
import { distillTargets, interpolatedAgeDist, teacherDistToBins } from '../../../host/distill/distill-targets.ts';
import { attachTeacherLabels } from '../../../host/distill/teacher-labels.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

test.before(async () => {
  await initBackend('wasm');
  registerWasmTrainingKernels();
});

function fakeBatch(samples: Sample[]): Batch {
  return { n: samples.length, x: new Float32Array(0), ages: Float32Array.from(samples, (s) => s.age ?? NaN), samples };
}
const lossOf = (p: ReturnType<typeof distillTargets>, out: tf.Tensor, b: Batch) => tf.tidy(() => p.loss(out, p.makeTargets(b)).dataSync()[0]);

test('teacher distributions keep their expected age at T=1 and flatten as T grows', (t) => {
  const dist = new Float32Array(100);
  for (let k = 0; k < 100; k++) dist[k] = Math.exp(-((k - 41.6) ** 2) / 30);
  const s = dist.reduce((a, b) => a + b, 0);
  dist.forEach((v, k) => (dist[k] = v / s));
  const mean = (p: Float32Array) => p.reduce((a, v, k) => a + v * k, 0);
  const p1 = teacherDistToBins(dist, 0, 1);
  t.is(p1.length, DEX_BINS);
  t.true(Math.abs(mean(p1) - mean(dist)) < 1e-4);
  const p4 = teacherDistToBins(dist, 0, 4);
  t.true(Math.max(...p4) < Math.max(...p1), 'softer at T=4');
  t.true(Math.abs(p4.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  t.true(Math.abs(mean(interpolatedAgeDist(33.25)) - 33.25) < 1e-6);
});

test('alpha 0 is exactly the ground-truth loss; alpha 1 with the truth as teacher is too', (t) => {
  const samples: Sample[] = [{ path: 'a', age: 30, teacherAge: 45 }, { path: 'b', age: 12, teacherAge: 15 }];
  const probs = tf.softmax(tf.randomNormal([2, DEX_BINS], 0, 1, 'float32', 7));
  const ages = tf.tensor2d([[33], [20]]);
  const b = fakeBatch(samples);
  const gtDex = tf.tidy(() => dexTargets().loss(probs, dexTargets().makeTargets(b)).dataSync()[0]);
  const gtReg = tf.tidy(() => regressionTargets().loss(ages, regressionTargets().makeTargets(b)).dataSync()[0]);
  t.true(Math.abs(lossOf(distillTargets({ head: 'dex', alpha: 0 }), probs, b) - gtDex) < 1e-5);
  t.true(Math.abs(lossOf(distillTargets({ head: 'regression', alpha: 0 }), ages, b) - gtReg) < 1e-4);
  // --label-sigma reaches the ground-truth part: alpha 0 with sigma 2 is dexTargets' Gaussian loss, not the one-hot one.
  const gtGauss = tf.tidy(() => dexTargets({ labelSigma: 2 }).loss(probs, dexTargets({ labelSigma: 2 }).makeTargets(b)).dataSync()[0]);
  t.true(Math.abs(gtGauss - gtDex) > 1e-3, 'the Gaussian loss differs from the one-hot loss');
  t.true(Math.abs(lossOf(distillTargets({ head: 'dex', alpha: 0, labelSigma: 2 }), probs, b) - gtGauss) < 1e-5);
  const asTeacher = fakeBatch(samples.map((s) => ({ ...s, teacherAge: s.age })));
  t.true(Math.abs(lossOf(distillTargets({ head: 'dex', alpha: 1 }), probs, asTeacher) - gtDex) < 1e-5);
  t.true(Math.abs(lossOf(distillTargets({ head: 'regression', alpha: 1 }), ages, asTeacher) - gtReg) < 1e-4);
  // Mixed: a * teacher + (1 - a) * truth for the regression head.
  const mixed = lossOf(distillTargets({ head: 'regression', alpha: 0.25 }), ages, b);
  t.true(Math.abs(mixed - (0.25 * ((33 - 45) ** 2 + (20 - 15) ** 2) / 2 + 0.75 * gtReg)) < 1e-3);
  tf.dispose([probs, ages]);
});

test('a sample without a teacher label is an error naming it; one without an age uses the teacher alone', (t) => {
  const p = distillTargets({ head: 'regression', alpha: 0.5 });
  t.throws(() => p.makeTargets(fakeBatch([{ path: '/x/unlabelled.jpg', age: 20 }])), { message: /unlabelled\.jpg: training sample has no teacher label/ });
  const out = tf.tensor2d([[10]]);
  t.is(lossOf(p, out, fakeBatch([{ path: 'c', teacherAge: 14 }])), 16);
  out.dispose();
});

dataTest(test).serial('a short distillation run (teacher only) brings the student closer to the teacher', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-distill-'));
  const train = await loadDataset(`utkface:${utkfaceDir()}:split=train:limit=16:seed=9`);
  const info = await attachTeacherLabels({ teacher: 'faceapi', train, runDir: dir });
  t.is(info.labelled, 16);
  const batches: Batch[] = [];
  for await (const b of batchStream(train, { inputSize: [64, 64], preprocessing: 'vggface2', batchSize: 8 })) batches.push(b);
  const model = buildNet('mobilenet64', { head: 'dex', seed: 5 });
  const distance = () => {
    let sum = 0, n = 0;
    for (const b of batches) {
      // Batch statistics (training mode): in a 12-step run BatchNorm's moving averages lag far behind the weights.
      const probs = tf.tidy(() => (model.apply(tf.tensor4d(b.x.subarray(0, b.n * 64 * 64 * 3), [b.n, 64, 64, 3]), { training: true }) as tf.Tensor).dataSync());
      b.samples.forEach((s, i) => {
        let age = 0;
        for (let k = 0; k < DEX_BINS; k++) age += k * probs[i * DEX_BINS + k];
        sum += Math.abs(age - s.teacherAge!); n++;
      });
    }
    return sum / n;
  };
  const before = distance();
  const opt = createOptimizer({ optimizer: 'adam', learningRate: 1e-3 });
  const step = createTrainStep({ model, optimizer: opt, targets: distillTargets({ head: 'dex', alpha: 1, temperature: 2 }) });
  for (let i = 0; i < 12; i++) step(batches[i % batches.length]);
  const after = distance();
  t.log(`mean |student - teacher| ${before.toFixed(2)} -> ${after.toFixed(2)} years`);
  t.true(after < before * 0.8, `mean |student - teacher| ${before.toFixed(2)} -> ${after.toFixed(2)} years`);
  model.dispose(); opt.dispose();
});
