// The weight average (--weight-average): its arithmetic against the formula on a small model with
// batch norm, exact restoring of the raw weights, and a real mobilenet64 run on UTKFace faces
// whose checkpoints hold the average, resumed after epoch 1 to the same weights as a run that
// never stopped.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { registerWasmTrainingKernels } from '../../../host/kernels/wasm/register.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { loadCheckpoint } from '../../../host/checkpoint/checkpoint.ts';
import { parseLrSchedule } from '../../../host/train/lr-schedule.ts';
import { resolveTrainConfig } from '../../../host/train/train-config.ts';
import { trainRun } from '../../../host/train/train-run.ts';
import { tfjsAgePredictor } from '../../../host/eval/age-predictor.ts';
import { evaluateAgePredictor } from '../../../host/eval/evaluate.ts';
import { WeightAverage, TRAINING_WEIGHTS_BIN } from '../../../host/train/weight-average.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';

function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [3] });
  const dense = tf.layers.dense({ units: 2, kernelInitializer: 'ones', biasInitializer: 'zeros' }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization().apply(dense) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: bn });
}

const flat = (model: tf.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));

// One backend for the file (its tests run concurrently): WASM with agekit's kernels, as agekit train.
test.before(async () => {
  await initBackend('wasm');
  registerWasmTrainingKernels({ replaceExisting: true });
});

test('follows avg = d*avg + (1-d)*w with the warm-up decay, over every weight including batch-norm statistics', async (t) => {
  const model = smallModel();
  t.is(model.weights.length, 6); // kernel, bias, gamma, beta, moving mean, moving variance
  const average = new WeightAverage(model, 0.9);
  let expected = flat(model);
  for (let step = 0; step < 30; step++) {
    // Stand-in for an optimizer step: move every weight, the moving statistics too.
    model.setWeights(model.weights.map((w) => tf.fill(w.read().shape, step + 1)));
    const d = Math.min(0.9, (1 + step) / (10 + step));
    t.is(average.effectiveDecay(), d);
    average.update(model);
    expected = expected.map((v) => v.map((x) => d * x + (1 - d) * (step + 1)));
  }
  t.is(average.updates, 30);
  const raw = flat(model);
  const inside = await average.applied(model, () => flat(model));
  inside.forEach((v, i) => v.forEach((x, j) => t.true(Math.abs(x - expected[i][j]) < 1e-4, `weight ${i}[${j}]: ${x} vs ${expected[i][j]}`)));
  t.deepEqual(flat(model), raw, 'the raw weights are back, bit for bit');
  // The warm-up: early decays are small, so the first weights are soon forgotten.
  t.is(new WeightAverage(model, 0.999).effectiveDecay(), 0.1);
  t.throws(() => new WeightAverage(model, 1), { message: /decay must be in \(0, 1\)/ });
});

test('the raw weights are put back when the function under the average throws', async (t) => {
  const model = smallModel();
  const average = new WeightAverage(model, 0.5);
  model.setWeights(model.weights.map((w) => tf.fill(w.read().shape, 7)));
  const raw = flat(model);
  await t.throwsAsync(average.applied(model, () => { throw new Error('validation failed'); }), { message: 'validation failed' });
  t.deepEqual(flat(model), raw);
});

dataTest(test)('a mobilenet64 run with --weight-average saves the average, and resuming after epoch 1 ends on the same weights', async (t) => {
  const dir = requireUtkface(t);
  if (!dir) return;
  const trainSpec = `utkface:${dir}:split=train:limit=96:seed=4`;
  const valSpec = `utkface:${dir}:split=val:limit=32:seed=4`;
  const train = await loadDataset(trainSpec);
  const val = await loadDataset(valSpec);
  const config = resolveTrainConfig({
    net: 'mobilenet64', dataset: trainSpec, valDataset: valSpec, head: 'dex', optimizer: 'adam', lr: parseLrSchedule('0.002:0.5:1'),
    batchSize: 8, epochs: 2, maxStepsPerEpoch: 6, augmentation: 'default', seed: 2, backend: 'wasm', weightAverage: 0.9,
  });
  const root = await mkdtemp(join(tmpdir(), 'agekit-average-'));
  const lines: string[] = [];
  const whole = await trainRun({ config, outDir: join(root, 'whole'), train, val, cropWorkers: 0, log: (l) => lines.push(l) });
  t.true(lines.some((l) => /weight average: decay 0\.9 \(about the last 10 steps\)/.test(l)), lines.join('\n'));
  await trainRun({ config, outDir: join(root, 'split'), train, val, cropWorkers: 0, stopAfterEpoch: 1 });
  await trainRun({ config, outDir: join(root, 'split'), train, val, cropWorkers: 0, resume: true });

  const wholeLast = await loadCheckpoint(join(root, 'whole', 'last'));
  const splitLast = await loadCheckpoint(join(root, 'split', 'last'));
  t.deepEqual(flat(splitLast.model), flat(wholeLast.model), 'the averaged weights after a resume equal those of the uninterrupted run');
  const state = JSON.parse(await readFile(join(root, 'split', 'last', 'train-state.json'), 'utf8'));
  t.is(state.weightAverageUpdates, 12);
  const rawBytes = await readFile(join(root, 'whole', 'last', TRAINING_WEIGHTS_BIN));
  const avgBytes = await readFile(join(root, 'whole', 'last', 'weights.bin'));
  t.is(rawBytes.length, avgBytes.length);
  t.false(rawBytes.equals(avgBytes), 'last/ keeps the raw training weights apart from the average');
  // The recorded val MAE is the average's: the saved best/ model scores it again.
  const best = await loadCheckpoint(join(root, 'whole', 'best'));
  const again = await evaluateAgePredictor(tfjsAgePredictor(best.model, best.meta), val, { batchSize: 32 });
  t.true(Math.abs(again.metrics.mae - whole.bestValMae) < 1e-3, `best/ scores ${again.metrics.mae}, recorded ${whole.bestValMae}`);
  wholeLast.model.dispose(); splitLast.model.dispose();
});
