// Evaluation over real UTKFace faces with any age predictor: a tfjs checkpoint and the same
// model converted to .tflite (native TFLite runtime) give the same predictions and metrics; the
// mosaic and the JSON report are written; unlabelled data is refused.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../../../core/errors.ts';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION } from '../../../core/contract/model-metadata.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { buildNet } from '../../../host/nets/index.ts';
import { saveCheckpoint } from '../../../host/checkpoint/checkpoint.ts';
import { convertModel } from '../../../converters/convert-model.ts';
import { openAgePredictor } from '../../../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../../../host/eval/evaluate.ts';
import { evalJson, formatEvalTable } from '../../../host/eval/eval-report.ts';
import { writePredictionMosaic, spreadByAge } from '../../../host/eval/prediction-mosaic.ts';
import { ageMetrics } from '../../../host/eval/metrics.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

let root = '';
let ckpt = '';
test.before(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'agekit-eval-'));
  ckpt = join(root, 'run', 'best');
  // An untrained network is enough: the point is that every path computes the same numbers.
  const model = buildNet('mobilenet64', { head: 'dex', seed: 11 });
  await saveCheckpoint(ckpt, model, {
    format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mobilenet64', inputSize: [64, 64], preprocessing: 'vggface2',
    head: 'dex', readout: defaultReadout('dex'), crop: { margin: 0, square: true },
  });
  model.dispose();
});
// The folder holds a mosaic of dataset faces: it must not outlive the test.
test.after.always(async () => { if (root) await rm(root, { recursive: true, force: true }); });

dataTest(test).serial('a checkpoint and its .tflite conversion give the same ages and metrics on 48 val faces', async (t) => {
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=48:seed=5`);
  const tflitePath = join(root, 'student.tflite');
  await convertModel({ model: ckpt, out: tflitePath });
  const viaTfjs = await openAgePredictor(join(root, 'run'));
  const viaTflite = await openAgePredictor(tflitePath);
  const a = await evaluateAgePredictor(viaTfjs, ds, { batchSize: 16 });
  const b = await evaluateAgePredictor(viaTflite, ds, { batchSize: 16 });
  await viaTfjs.close(); await viaTflite.close();
  t.is(a.metrics.n, 48);
  t.is(b.metrics.n, 48);
  let maxDiff = 0;
  for (let i = 0; i < 48; i++) maxDiff = Math.max(maxDiff, Math.abs(a.predictions[i] - b.predictions[i]));
  t.true(maxDiff < 1e-2, `largest age difference ${maxDiff} years`);
  t.true(Math.abs(a.metrics.mae - b.metrics.mae) < 1e-2);
  // The metrics are those of the predictions against the labels, sample by sample.
  t.deepEqual(a.samples.map((s) => s.age), Array.from(a.truths));
  t.is(a.metrics.mae, ageMetrics(a.predictions, a.truths).mae);
  t.true(a.imagesPerSecond > 0 && a.pipelineImagesPerSecond > 0);
});

dataTest(test).serial('the report table, JSON fields and a 20-face mosaic PNG', async (t) => {
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=40:seed=6`);
  const p = await openAgePredictor(ckpt);
  const r = await evaluateAgePredictor(p, ds, { batchSize: 20 });
  const table = formatEvalTable(r);
  t.regex(table, /^n 40 {2}MAE \d+\.\d{3}/);
  t.regex(table, /decade +n +MAE +bias/);
  const json = evalJson(r, p.name, ds.spec);
  for (const key of ['n', 'mae', 'mse', 'bias', 'by_decade', 'share_abs_error_at_least', 'images_per_second']) t.true(key in json, key);
  const png = join(root, 'mosaic.png');
  t.is(await writePredictionMosaic(r, p.meta, png), 20);
  const info = await sharp(png).metadata();
  t.is(info.format, 'png');
  t.true((info.width ?? 0) > 5 * 64 && (info.height ?? 0) > 4 * 64);
  await p.close();
});

test('the mosaic spreads its faces from the youngest to the oldest', (t) => {
  const truths = [50, 3, 77, 20, 9, 64, 31, 42];
  const picked = spreadByAge(truths, 4).map((i) => truths[i]);
  t.deepEqual(picked, [3, 20, 50, 77]); // ranks 0, 2, 5, 7 of 8
});

dataTest(test)('evaluating unlabelled data is a DataError naming the first unlabelled file', async (t) => {
  const p = await openAgePredictor(ckpt);
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=3`);
  const unlabelled = { ...ds, samples: ds.samples.map((s, i) => (i === 1 ? { path: s.path } : s)) };
  await t.throwsAsync(evaluateAgePredictor(p, unlabelled), { instanceOf: DataError, message: /1 of 3 samples have no age \(first: .*\.jpg/ });
  await p.close();
});
