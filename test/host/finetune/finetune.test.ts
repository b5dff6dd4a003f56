import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../../host/kernels/wasm/register.ts';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { loadCheckpoint } from '../../../host/checkpoint/checkpoint.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { openAgePredictor } from '../../../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../../../host/eval/evaluate.ts';
import { epsilonError } from '../../../host/eval/protocol/epsilon-error.ts';
import { finetuneAdience } from '../../../host/finetune/adience-finetune.ts';
import { replaceWithAdienceHead } from '../../../host/finetune/adience-head.ts';
import { parseLrSchedule } from '../../../host/train/lr-schedule.ts';
import { resolveTrainConfig } from '../../../host/train/train-config.ts';
import { trainRun } from '../../../host/train/train-run.ts';
import { main } from '../../../cli/main.ts';
import { dataTest, hasUtkface, utkfaceDir } from '../../support/shared-data.ts';
import { pickFaces, placeFace, writeText } from '../data/loaders/fixture-faces.ts';

const GROUPS = ['(0, 2)', '(4, 6)', '(8, 12)', '(15, 20)', '(25, 32)', '(38, 43)', '(48, 53)', '(60, 100)'];
const ADIENCE_HEADER = 'user_id\toriginal_image\tface_id\tage\tgender\tx\ty\tdx\tdy\ttilt_ang\tfiducial_yaw_angle\tfiducial_score';
let root = '';
let source = '';

/** A real (briefly) trained mobilenet64 to fine-tune: 4 steps on UTKFace faces. */
async function trainSource(dir: string): Promise<string> {
  const out = join(dir, 'source');
  const u = utkfaceDir();
  const config = resolveTrainConfig({
    net: 'mobilenet64', dataset: `utkface:${u}:split=train:limit=64`, valDataset: `utkface:${u}:split=val:limit=16`,
    batchSize: 16, epochs: 1, maxStepsPerEpoch: 4, lr: parseLrSchedule('0.001:0.2:20'), bnMomentum: 0.9, augmentation: 'no',
  });
  await trainRun({ config, outDir: out, train: await loadDataset(config.dataset), val: await loadDataset(config.valDataset) });
  return out;
}

/** Adience: 5 folds x 8 faces (two users per fold), every group present, landmarks around a known face box. */
async function buildAdience(dir: string): Promise<string> {
  const r = join(dir, 'adience');
  const faces = await pickFaces(utkfaceDir(), 40);
  for (let k = 0; k < 5; k++) {
    const rows = [ADIENCE_HEADER];
    for (let i = 0; i < 8; i++) {
      const f = k * 8 + i, user = `u${k}_${i % 2}`, original = `p${f}.jpg`, faceId = String(f);
      await placeFace(faces[f].path, join(r, 'faces', user, `coarse_tilt_aligned_face.${faceId}.${original}`), 120, 140, { x: 16, y: 30, w: 88, h: 88 });
      const lm = ['landmarks', 'index,x,y', '0,0,0,30,60', '1,0,0,90,66', '2,0,0,60,120'];
      await writeText(join(r, 'faces', user, `landmarks.${faceId}.p${f}.txt`), lm.join('\n') + '\n');
      rows.push([user, original, faceId, GROUPS[(f * 3) % 8], 'f', 0, 0, 1, 1, 0, 0, 1].join('\t'));
    }
    await writeText(join(r, 'annotations', `fold_frontal_${k}_data.txt`), rows.join('\n') + '\n');
  }
  return r;
}

/** APPA-REAL: 16 train, 8 valid, 8 test faces on slightly larger canvases with a face box. */
async function buildAppa(dir: string): Promise<string> {
  const r = join(dir, 'appa');
  const faces = await pickFaces(utkfaceDir(), 32);
  let f = 0;
  for (const [part, n] of [['train', 16], ['valid', 8], ['test', 8]] as const) {
    const rows = ['file_name,num_ratings,apparent_age_avg,apparent_age_std,real_age,x,y,w,h'];
    for (let i = 0; i < n; i++, f++) {
      const file = `${String(f).padStart(6, '0')}.jpg_face.jpg`;
      await placeFace(faces[f].path, join(r, part, file), 130, 120, { x: 20, y: 10, w: 96, h: 100 });
      rows.push(`${file},30,${faces[f].age + 0.5},${2 + (i % 4)},${faces[f].age},20,10,96,100`);
    }
    await writeText(join(r, `gt_avg_${part}.csv`), rows.join('\n') + '\n');
  }
  return r;
}

test.before(async () => {
  if (!hasUtkface()) return;
  await initBackend('wasm');
  registerWasmTrainingKernels();
  root = await mkdtemp(join(tmpdir(), 'agekit-finetune-'));
  source = await trainSource(root);
});
test.after.always(async () => { if (root) await rm(root, { recursive: true, force: true }); });

dataTest(test.serial)('the Adience head replaces the age head on the same backbone weights: 8 probabilities per face', async (t) => {
  const src = await loadCheckpoint(source);
  const model = replaceWithAdienceHead(src.model, { seed: 1 });
  t.deepEqual(model.outputs[0].shape, [null, 8]);
  t.false(model.layers.some((l) => l.name === 'age_dense'));
  t.true(model.layers.every((l) => l.trainable));
  const [h, w] = src.meta.inputSize;
  const y = model.predict(tf.randomUniform([2, h, w, 3], -100, 100, 'float32', 3)) as tf.Tensor;
  const rows = (await y.array()) as number[][];
  for (const r of rows) t.true(Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  // Shared layers: a backbone kernel is the source's own variable.
  const conv = src.model.layers.find((l) => l.getClassName() === 'Conv2D')!;
  t.is(model.getLayer(conv.name).getWeights()[0], conv.getWeights()[0]);
  y.dispose();
  model.dispose();
});

dataTest(test.serial)('finetune adience --folds rotate: five rotations, each tested on the fold it did not train on, accuracies and confusion matrix add up', async (t) => {
  const adience = await buildAdience(root);
  const out = join(root, 'adience-out');
  const r = await finetuneAdience({ from: source, dataset: `adience:${adience}`, epochs: 1, batchSize: 8, maxStepsPerEpoch: 2, out, lr: parseLrSchedule('0.0005:0.2:20') });
  t.deepEqual(r.folds.map((f) => f.testFold), [0, 1, 2, 3, 4]);
  for (const f of r.folds) {
    t.deepEqual(f.trainFolds, [0, 1, 2, 3, 4].filter((k) => k !== f.testFold));
    t.is(f.trainSamples, 32);
    t.is(f.n, 8);
    t.true(Number.isFinite(f.finalLoss) && f.finalLoss > 0);
    t.true(f.oneOff >= f.exact);
    t.is(f.confusion.flat().reduce((a, b) => a + b, 0), 8);
    // Exact accuracy is the confusion matrix's diagonal share.
    t.is(f.exact, f.confusion.reduce((a, row, i) => a + row[i], 0) / 8);
  }
  t.is(r.confusion.flat().reduce((a, b) => a + b, 0), 40);
  t.true(Math.abs(r.average.exact - r.folds.reduce((a, f) => a + f.exact, 0) / 5) < 1e-12);
  const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
  t.is(json.folds.length, 5);
  t.deepEqual(json.groups, ['0-2', '4-6', '8-12', '15-20', '25-32', '38-43', '48-53', '60-100']);
});

dataTest(test.serial)('agekit finetune appa: all layers train on train, best on valid is kept, test MAE and epsilon-error match a direct evaluation', async (t) => {
  const appa = await buildAppa(root);
  const out = join(root, 'appa-out');
  const code = await main(['node', 'agekit', 'finetune', 'appa', '--from', source, '--dataset', `appa:${appa}`, '--out', out,
    '--training-epochs', '2', '--batch', '8', '--max-steps-per-epoch', '2', '--augmentation', 'no', '--backend', 'wasm']);
  t.is(code, 0);
  const report = JSON.parse(await readFile(join(out, 'appa-test.json'), 'utf8'));
  t.is(report.test_n, 8);
  const predictor = await openAgePredictor(out);
  try {
    const test = await loadDataset(`appa:${appa}:split=test`);
    const r = await evaluateAgePredictor(predictor, test);
    t.true(Math.abs(report.test_mae - r.metrics.mae) < 1e-4);
    const eps = epsilonError(r.predictions, r.truths, r.samples.map((s) => s.ageStd!));
    t.true(Math.abs(report.test_epsilon_error - eps) < 1e-6);
    t.true(eps > 0 && eps <= 1);
    t.deepEqual(predictor.meta.crop, { square: false, margin: 0 });
    t.is((predictor.meta.training as { val_dataset: string }).val_dataset, `appa:${appa}:split=valid`);
  } finally {
    await predictor.close();
  }
  // Every layer was trainable: a backbone kernel moved away from the source's.
  const [a, b] = [await loadCheckpoint(source), await loadCheckpoint(join(out, 'last'))];
  const conv = a.model.layers.find((l) => l.getClassName() === 'Conv2D')!.name;
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.model.getLayer(conv).getWeights()[0], b.model.getLayer(conv).getWeights()[0]))).dataSync()[0]);
  t.true(diff > 0, `first conv changed by ${diff}`);
  a.model.dispose(); b.model.dispose();
  const bad = await main(['node', 'agekit', 'finetune', 'adience', '--from', source, '--dataset', 'adience:/nowhere', '--out', join(root, 'x'), '--folds', '7']);
  t.is(bad, 2);
});
