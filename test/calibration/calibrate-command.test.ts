// `agekit calibrate ages` and `calibrate build` on real UTKFace faces with a real (untrained,
// perturbed) mobilenet64 checkpoint and its .tflite conversion: the stored calibration is the
// one fitted on the model's raw predictions, the report's held-apart figures recompute from
// them, the device-side read-out applies it, a .tflite keeps every tensor byte, a refit does not
// stack on an old calibration; a built set drives `convert --quantize int8`, and a set of the
// wrong size or an empty one is refused naming the values.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../core/backend/tfjs-backend.ts';
import { calibrateAge, defaultReadout, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { readTfliteMetadata } from '../../core/tflite/tflite-metadata.ts';
import { buildNet } from '../../host/nets/index.ts';
import { readCheckpointMetadata, saveCheckpoint } from '../../host/checkpoint/checkpoint.ts';
import { loadDataset } from '../../host/data/load-dataset.ts';
import { openAgePredictor } from '../../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../../host/eval/evaluate.ts';
import { convertModel } from '../../converters/convert-model.ts';
import { readTflite } from '../../core/tflite/read-tflite.ts';
import { predictRawAges } from '../../calibration/predict-raw-ages.ts';
import { fitAgeCalibration } from '../../calibration/fit-age-calibration.ts';
import { writeRepresentativeSet } from '../../core/contract/representative-set-dir.ts';
import { main } from '../../cli/main.ts';
import { AgeEstimator } from '../../device/estimators/age-estimator.ts';
import { cropFace } from '../../core/contract/face-crop.ts';
import { readRgb } from '../../core/images.ts';
import { perturbWeights } from '../converters/conversion-fixtures.ts';
import { dataTest, hasUtkface, utkfaceDir } from '../support/shared-data.ts';

let root = '', ckpt = '', tflite = '';
const meta: ModelMetadata = {
  format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mobilenet64', inputSize: [64, 64], preprocessing: 'vggface2',
  head: 'regression', readout: defaultReadout('regression'), crop: { margin: 0.1, square: true },
};
const valSpec = () => `utkface:${utkfaceDir()}:split=val:limit=160:seed=2`;

/** Run the CLI in this process, capturing stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const out = process.stdout.write.bind(process.stdout), err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => { stdout += c.toString(); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { stderr += c.toString(); return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'agekit', ...args]), stdout, stderr };
  } finally {
    process.stdout.write = out; process.stderr.write = err;
  }
}

test.before(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'agekit-calcmd-'));
  ckpt = join(root, 'ckpt');
  tflite = join(root, 'student.tflite');
  // Untrained but real: perturbed weights give predictions that vary with the face (~20-60 years).
  const model = buildNet('mobilenet64', { head: 'regression', seed: 3 });
  perturbWeights(model);
  await saveCheckpoint(ckpt, model, meta);
  model.dispose();
  if (hasUtkface()) await convertModel({ model: ckpt, out: tflite });
});

dataTest(test).serial('calibrate ages on a checkpoint stores the fit of its raw predictions; the report recomputes; the copy predicts calibrated ages', async (t) => {
  const copy = join(root, 'ckpt-cal'), json = join(root, 'report.json');
  const r = await cli(['calibrate', 'ages', '--model', ckpt, '--dataset', valSpec(), '--out', copy, '--json', json, '--seed', '4', '--backend', 'wasm']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /backend /);
  t.regex(r.stderr, /calibration stored in .*ckpt-cal/);
  t.regex(r.stdout, /^decade\s+n\s+mae_before\s+mae_after\s+signed_before\s+signed_after$/m);
  t.regex(r.stdout, /^all\s+48\s/m); // 30% of 160 held apart
  const report = JSON.parse(await readFile(json, 'utf8'));
  const stored = (await readCheckpointMetadata(copy)).ageCalibration!;
  t.deepEqual(stored, report.calibration);
  t.is((await readCheckpointMetadata(ckpt)).ageCalibration, undefined, 'the original is unchanged with --out');

  const ds = await loadDataset(valSpec());
  const raw = await predictRawAges(ckpt, ds);
  const refit = fitAgeCalibration(raw.predictions, raw.truths, { seed: 4, fittedOn: valSpec() });
  t.deepEqual(JSON.parse(JSON.stringify(refit.calibration)), stored);
  t.is(report.chosen, refit.chosen);
  t.is(report.n_held_apart, 48);
  t.true(Math.abs(report.before.mae - refit.before.mae) < 1e-9 && Math.abs(report.after.mae - refit.after.mae) < 1e-9);
  t.deepEqual(report.after.by_decade.map((d: { decade: string }) => d.decade), refit.after.byDecade.map((d) => d.decade));
  // Monotone correction fitted on held-in data: on this poor model it must still not be worse than a constant shift would allow.
  t.true(report.after.mae <= report.before.mae + 1, `held-apart MAE ${report.before.mae} -> ${report.after.mae}`);

  const calibrated = await openAgePredictor(copy);
  const after = await evaluateAgePredictor(calibrated, ds);
  await calibrated.close();
  for (let i = 0; i < ds.samples.length; i += 17) t.true(Math.abs(after.predictions[i] - calibrateAge(raw.predictions[i], stored)) < 1e-4);

  // Refitting the calibrated copy in place fits the raw predictions again: same calibration, not stacked.
  const again = await cli(['calibrate', 'ages', '--model', copy, '--dataset', valSpec(), '--seed', '4', '--backend', 'wasm']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /replacing the previous one/);
  t.deepEqual((await readCheckpointMetadata(copy)).ageCalibration, stored);
});

dataTest(test).serial('calibrate ages on a .tflite rewrites only its metadata; the native runtime then predicts calibrated ages', async (t) => {
  const out = join(root, 'student-cal.tflite');
  const r = await cli(['calibrate', 'ages', '--model', tflite, '--dataset', valSpec(), '--method', 'isotonic', '--out', out]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /# calibration isotonic/);
  const before = readTflite(new Uint8Array(await readFile(tflite)), tflite), after = readTflite(new Uint8Array(await readFile(out)), out);
  t.deepEqual(after.tensors, before.tensors);
  t.deepEqual(after.operators, before.operators);
  const cal = readTfliteMetadata(new Uint8Array(await readFile(out)), out)!.ageCalibration!;
  t.is(cal.kind, 'isotonic');
  t.deepEqual({ ...after.agekit, ageCalibration: undefined }, { ...before.agekit, ageCalibration: undefined });

  const ds = await loadDataset(valSpec());
  const raw = await predictRawAges(tflite, ds);
  const p = await openAgePredictor(out);
  const got = await evaluateAgePredictor(p, ds);
  await p.close();
  for (let i = 0; i < ds.samples.length; i += 13) t.true(Math.abs(got.predictions[i] - calibrateAge(raw.predictions[i], cal)) < 1e-4);

  // The device's estimator reads the patched file and applies the stored calibration.
  const estimator = await AgeEstimator.create({ modelPath: out });
  t.deepEqual(estimator.meta.ageCalibration, cal);
  const crops = await Promise.all(ds.samples.slice(0, 3).map(async (s) => {
    const img = await readRgb(s.path);
    return { box: { x: 0, y: 0, w: img.width, h: img.height, score: 1 }, rgb: cropFace(img, { x: 0, y: 0, w: img.width, h: img.height }, meta.crop, 64, 64) };
  }));
  const est = await estimator.estimate(crops);
  await estimator.close();
  for (let i = 0; i < 3; i++) {
    t.is(est[i].age, calibrateAge(est[i].rawAge, cal));
    t.true(Math.abs(est[i].rawAge - raw.predictions[i]) < 1e-3, `face ${i}: device ${est[i].rawAge}, host ${raw.predictions[i]}`);
  }
});

dataTest(test).serial('a built set drives convert --quantize int8; a set of another size or an empty one is refused', async (t) => {
  const set = join(root, 'set'), small = join(root, 'set48'), empty = join(root, 'set-empty');
  const b = await cli(['calibrate', 'build', '--dataset', `utkface:${utkfaceDir()}:split=train:limit=300`, '--samples', '32', '--model', ckpt, '--out', set]);
  t.is(b.code, 0, b.stderr);
  const built = JSON.parse(b.stdout);
  t.is(built.count, 32);
  t.deepEqual(built.input_size, [64, 64]);
  t.is(built.preprocessing, 'vggface2');
  t.deepEqual(built.crop, meta.crop);

  const q = join(root, 'int8.tflite');
  const c = await cli(['convert', '--model', ckpt, '--out', q, '--quantize', 'int8', '--calibration', set, '--backend', 'wasm']);
  t.is(c.code, 0, c.stderr);
  const qm = readTfliteMetadata(new Uint8Array(await readFile(q)), q)!;
  t.is(qm.quantization?.mode, 'int8');
  t.true(qm.quantization!.calibrationSet!.startsWith(set), qm.quantization!.calibrationSet);
  const p = await openAgePredictor(q);
  const r = await evaluateAgePredictor(p, await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=8`));
  await p.close();
  t.true(r.predictions.every(Number.isFinite));

  t.is((await cli(['calibrate', 'build', '--dataset', `utkface:${utkfaceDir()}:split=train:limit=50`, '--samples', '4', '--input-size', '48', '--preprocessing', 'vggface2', '--out', small])).code, 0);
  const m = await cli(['convert', '--model', ckpt, '--out', join(root, 'x.tflite'), '--quantize', 'int8', '--calibration', small]);
  t.is(m.code, 1);
  t.regex(m.stderr, /crops are 48x48 but the model takes 64x64/);
  await writeRepresentativeSet(empty, new Uint8Array(0), { inputSize: [64, 64], preprocessing: 'vggface2', source: 'none', count: 0 });
  const e = await cli(['convert', '--model', ckpt, '--out', join(root, 'y.tflite'), '--quantize', 'int8', '--calibration', empty]);
  t.is(e.code, 1);
  t.regex(e.stderr, /set-empty: representative set is empty/);
});

test('usage errors name the flag', async (t) => {
  const a = await cli(['calibrate', 'build', '--dataset', 'utkface:/nonexistent', '--out', join(root, 'z')]);
  t.is(a.code, 2);
  t.regex(a.stderr, /--input-size: needs the crop size/);
  const b = await cli(['calibrate', 'ages', '--model', tflite || 'm.tflite', '--dataset', 'x', '--out', join(root, 'folder')]);
  t.is(b.code, 2);
  t.regex(b.stderr, /--out: .* must be a \.tflite path/);
});

dataTest(test).serial('calibrate ages --teacher reports on a teacher and stores nothing', async (t) => {
  const json = join(root, 'teacher.json');
  const r = await cli(['calibrate', 'ages', '--teacher', 'faceapi', '--dataset', `utkface:${utkfaceDir()}:split=val:limit=40`, '--method', 'decade_bias', '--json', json, '--backend', 'wasm']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /report only/);
  t.regex(r.stdout, /^all\s+12\s/m);
  const report = JSON.parse(await readFile(json, 'utf8'));
  t.is(report.chosen, 'decade_bias');
  t.is(report.written_to, undefined);
  t.true(report.ms_per_face > 0);
});
