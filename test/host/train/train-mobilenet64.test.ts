// The foundation's done-when test: mobilenet64 trained for 600 steps (batch 8) on 2,000 real
// UTKFace training faces beats, on 500 held-out validation faces, the MAE of always predicting the
// training mean. Runs the real run-folder training (trainRun) on the WASM backend with agekit's
// training kernels, registered as agekit train registers them. Everything is seeded (init, order, no
// augmentation), so the run is deterministic; it logs the val MAE per epoch and the baseline (about
// 2 minutes on a loaded 2-core machine). From scratch, 600 steps only begin to learn: the margin is
// about a year, not more.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { registerWasmTrainingKernels } from '../../../host/kernels/wasm/register.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { parseLrSchedule } from '../../../host/train/lr-schedule.ts';
import { resolveTrainConfig } from '../../../host/train/train-config.ts';
import { trainRun } from '../../../host/train/train-run.ts';
import { constantPredictionMae } from '../../../host/eval/metrics.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';

const TRAIN = 2000, VAL = 500, BATCH = 8, EPOCHS = 3, STEPS_PER_EPOCH = 200; // 600 steps, 4800 images

dataTest(test)('mobilenet64 trained for 600 steps on 2000 UTKFace faces beats the training-mean baseline on 500 val faces', async (t) => {
  const dir = requireUtkface(t);
  if (!dir) return;
  await initBackend('wasm');
  const kernels = registerWasmTrainingKernels({ replaceExisting: true }); // as agekit train does
  t.log(`backend wasm + ${kernels.length} agekit kernels`);
  const trainSpec = `utkface:${dir}:split=train:limit=${TRAIN}:seed=1`;
  const valSpec = `utkface:${dir}:split=val:limit=${VAL}:seed=1`;
  const train = await loadDataset(trainSpec);
  const val = await loadDataset(valSpec);
  const config = resolveTrainConfig({
    net: 'mobilenet64', dataset: trainSpec, valDataset: valSpec, head: 'dex', optimizer: 'adam', lr: parseLrSchedule('0.002:0.5:1'),
    batchSize: BATCH, epochs: EPOCHS, maxStepsPerEpoch: STEPS_PER_EPOCH, augmentation: 'no', bnMomentum: 0.9, weightDecay: 0, seed: 1, backend: 'wasm',
  });
  const out = join(await mkdtemp(join(tmpdir(), 'agekit-train-')), 'run');
  const t0 = Date.now();
  const logLines: string[] = [];
  const result = await trainRun({ config, outDir: out, train, val, log: (l) => { logLines.push(l); t.log(l); } });
  const trainAges = train.samples.map((s) => s.age!);
  const mean = trainAges.reduce((a, b) => a + b, 0) / trainAges.length;
  const baseline = constantPredictionMae(mean, val.samples.map((s) => s.age!));
  t.log(`val MAE by epoch: ${result.epochs.map((e) => e.val_mae.toFixed(2)).join(', ')}; best ${result.bestValMae.toFixed(2)}; training-mean (${mean.toFixed(1)}) baseline ${baseline.toFixed(2)}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  t.is(result.epochs.length, EPOCHS);
  // Epoch 1 decodes every image; later epochs take nearly all of them from the run's decoded-image cache.
  const hits = logLines.map((l) => /^epoch (\d+)\/.* cache (\d+)% hits/.exec(l)).filter((m) => m !== null).map((m) => Number(m![2]));
  t.is(hits.length, EPOCHS);
  t.true(hits[0] < 20 && hits[EPOCHS - 1] > 90, `cache hit shares by epoch: ${hits.join(', ')}%`);
  t.true(result.bestValMae < baseline, `best val MAE ${result.bestValMae} is not below the baseline ${baseline}`);
  // The run folder records what happened: one metrics line per epoch and the best checkpoint's metrics.
  const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(lines.map((l) => l.epoch), [1, 2, 3]);
  const best = JSON.parse(await readFile(join(out, 'best', 'agekit.json'), 'utf8'));
  t.is(best.training.val_mae, result.bestValMae);
});
