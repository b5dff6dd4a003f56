// Fine-tuning from a trained checkpoint keeps its head: `--pretraining samples/models/student`
// with a learning rate too small to move the weights validates as the shipped student does,
// instead of starting the dex biases again at the training-age histogram.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { registerWasmTrainingKernels } from '../../../host/kernels/wasm/register.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { parseLrSchedule } from '../../../host/train/lr-schedule.ts';
import { resolveTrainConfig } from '../../../host/train/train-config.ts';
import { trainRun } from '../../../host/train/train-run.ts';
import { openAgePredictor } from '../../../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../../../host/eval/evaluate.ts';
import { dataTest, projectRoot, requireUtkface } from '../../support/shared-data.ts';

dataTest(test)('train --pretraining from the shipped student keeps its learnt dex head (no age-prior reset)', async (t) => {
  const dir = requireUtkface(t);
  if (!dir) return;
  await initBackend('wasm');
  registerWasmTrainingKernels({ replaceExisting: true });
  const student = join(projectRoot, 'samples', 'models', 'student');
  const trainSpec = `utkface:${dir}:split=train:limit=16:seed=2`, valSpec = `utkface:${dir}:split=val:limit=64:seed=2`;
  const [train, val] = [await loadDataset(trainSpec), await loadDataset(valSpec)];
  const shipped = await openAgePredictor(student);
  const before = (await evaluateAgePredictor(shipped, val)).metrics.mae;
  await shipped.close();
  const out = await mkdtemp(join(tmpdir(), 'agekit-pretrained-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const config = resolveTrainConfig({
    net: 'mobilenet64', dataset: trainSpec, valDataset: valSpec, head: 'dex', optimizer: 'adam', lr: parseLrSchedule('1e-9:1:1'),
    batchSize: 8, epochs: 1, maxStepsPerEpoch: 1, augmentation: 'no', weightDecay: 0, seed: 1, backend: 'wasm', pretraining: student,
  });
  const log: string[] = [];
  const r = await trainRun({ config, outDir: join(out, 'run'), train, val, log: (l) => log.push(l) });
  t.true(log.some((l) => /^pretraining .* layers .* loaded$/.test(l)), log.join('\n'));
  t.false(log.some((l) => l.startsWith('head initialised')), 'the pretrained head is not reset to the prior');
  // Validation stores and prints the signed error per decade, over all 64 faces.
  const decades = r.epochs[0].val_by_decade!;
  t.is(decades.reduce((a, d) => a + d.n, 0), 64);
  t.true(decades.every((d) => Number.isFinite(d.bias)));
  t.true(log.some((l) => /val signed error by decade: 0-9 [+-]\d/.test(l)), log.join('\n'));
  // One step at lr 1e-9 moves only the batch-norm statistics a little.
  t.true(Math.abs(r.bestValMae - before) < 0.5, `fine-tuned start ${r.bestValMae} vs shipped ${before}`);
});
