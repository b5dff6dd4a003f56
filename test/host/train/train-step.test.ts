// The training step on real UTKFace batches: no tensor outlives a step, the loss falls on a
// repeated batch, and optimizer state saved with a checkpoint resumes to bit-identical updates.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { registerWasmTrainingKernels } from '../../../host/kernels/wasm/register.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { batchStream, type Batch } from '../../../host/data/batch-stream.ts';
import { buildNet } from '../../../host/nets/index.ts';
import { createTrainStep } from '../../../host/train/train-step.ts';
import { groundTruthTargets } from '../../../host/train/targets.ts';
import { createOptimizer, optimizerStateFiles, restoreOptimizerState, type OptimizerName } from '../../../host/train/optimizer.ts';
import { writeFileAtomic } from '../../../core/atomic-file.ts';
import { dataTest, hasUtkface, utkfaceDir } from '../../support/shared-data.ts';

let batches: Batch[] = [];
test.before(async () => {
  await initBackend('wasm');
  registerWasmTrainingKernels();
  if (!hasUtkface()) return;
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=train:limit=16:seed=3`);
  for await (const b of batchStream(ds, { inputSize: [64, 64], preprocessing: 'vggface2', augmentation: 'default', batchSize: 8, seed: 1 })) batches.push(b);
});

for (const [optimizer, head] of [['sgd', 'regression'], ['adam', 'dex']] as [OptimizerName, 'regression' | 'dex'][]) {
  dataTest(test).serial(`${optimizer} + ${head} head with weight decay: tf.memory().numTensors is flat across steps`, async (t) => {
    const model = buildNet('mobilenet64', { head, seed: 1 });
    const opt = createOptimizer({ optimizer, learningRate: 1e-3, momentum: 0.9 });
    const step = createTrainStep({ model, optimizer: opt, targets: groundTruthTargets(head), weightDecay: 5e-4 });
    step(batches[0]); // the first step creates the optimizer's slot variables
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) losses.push(step(batches[i % batches.length]).loss);
    t.is(tf.memory().numTensors, before);
    t.true(losses.every(Number.isFinite), `losses ${losses}`);
    model.dispose(); opt.dispose();
  });
}

dataTest(test).serial('the loss on one repeated real batch falls', async (t) => {
  const model = buildNet('mobilenet64', { head: 'dex', seed: 2 });
  const opt = createOptimizer({ optimizer: 'adam', learningRate: 1e-3 });
  const step = createTrainStep({ model, optimizer: opt, targets: groundTruthTargets('dex') });
  const losses = Array.from({ length: 8 }, () => step(batches[0]).loss);
  t.true(losses[7] < losses[0], `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  model.dispose(); opt.dispose();
});

for (const optimizer of ['sgd', 'adam'] as OptimizerName[]) {
  dataTest(test).serial(`${optimizer}: restored optimizer state gives the same next update as the uninterrupted one`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'agekit-opt-'));
    const a = buildNet('mobilenet64', { head: 'regression', seed: 4 });
    const optA = createOptimizer({ optimizer, learningRate: 1e-3, momentum: 0.9 });
    const stepA = createTrainStep({ model: a, optimizer: optA, targets: groundTruthTargets('regression') });
    stepA(batches[0]); stepA(batches[1]);
    for (const [name, content] of Object.entries(await optimizerStateFiles(optA))) await writeFileAtomic(join(dir, name), content);
    // B: same weights, fresh optimizer restored from the files.
    const b = buildNet('mobilenet64', { head: 'regression', seed: 99 });
    b.setWeights(a.getWeights());
    const optB = createOptimizer({ optimizer, learningRate: 1e-3, momentum: 0.9 });
    await restoreOptimizerState(optB, dir);
    const stepB = createTrainStep({ model: b, optimizer: optB, targets: groundTruthTargets('regression') });
    stepA(batches[0]); stepB(batches[0]);
    const wa = a.getWeights(), wb = b.getWeights();
    let maxDiff = 0;
    for (let i = 0; i < wa.length; i++) maxDiff = Math.max(maxDiff, tf.tidy(() => tf.max(tf.abs(tf.sub(wa[i], wb[i]))).dataSync()[0]));
    t.true(maxDiff < 1e-6, `max weight difference ${maxDiff}`);
    a.dispose(); b.dispose(); optA.dispose(); optB.dispose();
  });
}
