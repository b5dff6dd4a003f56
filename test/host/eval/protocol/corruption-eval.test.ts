import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../../../core/backend/tfjs-backend.ts';
import { DataError } from '../../../../core/errors.ts';
import { loadDataset } from '../../../../host/data/load-dataset.ts';
import { cropForTeacher } from '../../../../host/distill/teacher-input.ts';
import { faceApiPredictor } from './faceapi-predictor.ts';
import { corruptionJson, evaluateCorruptions, formatCorruptionTable } from '../../../../host/eval/protocol/corruption-eval.ts';
import { writeCorruptionBarPlot } from '../../../../host/eval/protocol/corruption-bar-plot.ts';
import { readRgb } from '../../../../core/images.ts';
import { dataTest, utkfaceDir } from '../../../support/shared-data.ts';

test.before(async () => { await initBackend('wasm'); });
const dirs: string[] = [];
test.after.always(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

dataTest(test)('MAE per corruption and severity of a real model: clean matches a direct run, strong corruptions hurt, groups average their members', async (t) => {
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=8:seed=3`);
  const predictor = await faceApiPredictor();
  try {
    const r = await evaluateCorruptions(predictor, ds, { corruptions: ['gaussian_blur', 'gaussian_noise', 'brightness_minus'], severities: [1, 5], seed: 4, batchSize: 5 });
    t.is(r.n, 8);
    // Clean MAE, computed here straight from the teacher on its own crops.
    const crops = await Promise.all(ds.samples.map(async (s) => cropForTeacher(predictor.teacher.descriptor, await readRgb(s.path), s.box)));
    const direct = (await predictor.teacher.predict(crops)).ages;
    const mae = ds.samples.reduce((a, s, i) => a + Math.abs(direct[i] - s.age!), 0) / ds.samples.length;
    t.true(Math.abs(r.clean - mae) < 1e-3, `clean ${r.clean} vs direct ${mae}`);
    const get = (name: string) => r.byCorruption.find((c) => c.name === name)!;
    t.log(formatCorruptionTable(r));
    // Noise of std 0.38 leaves little of a face; severity 1 hurts less than 5.
    t.true(get('gaussian_noise').mae[1] > r.clean + 1, `noise s5 ${get('gaussian_noise').mae[1]} vs clean ${r.clean}`);
    t.true(get('gaussian_noise').mae[1] > get('gaussian_noise').mae[0]);
    for (const c of r.byCorruption) t.true(Math.abs(c.mean - (c.mae[0] + c.mae[1]) / 2) < 1e-9);
    t.is(r.groups.blur, get('gaussian_blur').mean);
    t.is(r.groups.noise, get('gaussian_noise').mean);
    t.is(r.groups.digital, get('brightness_minus').mean);
    t.true(Math.abs(r.corrupted - r.byCorruption.reduce((a, c) => a + c.mae[0] + c.mae[1], 0) / 6) < 1e-9);
    const json = corruptionJson(r);
    t.deepEqual(Object.keys(json.by_corruption as object), ['gaussian_blur', 'gaussian_noise', 'brightness_minus']);
    const dir = await mkdtemp(join(tmpdir(), 'agekit-cplot-')); dirs.push(dir);
    const png = join(dir, 'corruptions.png');
    await writeCorruptionBarPlot(r, png, 'faceapi on utkface val');
    const info = await sharp(png).metadata();
    t.true(info.width! > 400 && info.height === 380);
  } finally {
    await predictor.close();
  }
});

dataTest(test)('an unlabelled or empty dataset is a clear error', async (t) => {
  const predictor = await faceApiPredictor();
  try {
    const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=2`);
    await t.throwsAsync(evaluateCorruptions(predictor, { ...ds, samples: [] }), { instanceOf: DataError, message: /no samples to evaluate/ });
    await t.throwsAsync(evaluateCorruptions(predictor, { ...ds, samples: [{ path: ds.samples[0].path }] }), { instanceOf: DataError, message: /sample has no age/ });
  } finally {
    await predictor.close();
  }
});
