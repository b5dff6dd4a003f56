// agekit compare on real faces: a teacher and a real checkpoint in one table, counts cross-checked, the plot is a real PNG.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { METADATA_FORMAT, METADATA_VERSION, defaultReadout, type ModelMetadata } from '../../../core/contract/model-metadata.ts';
import { saveCheckpoint } from '../../../host/checkpoint/checkpoint.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { buildNet } from '../../../host/nets/index.ts';
import { countMultiplyAdds, countParams } from '../../../host/nets/model-cost.ts';
import { compareJson, compareModels, formatCompareTable } from '../../../host/distill/compare.ts';
import { placeLabel, writeComparePlot, type LabelBox } from '../../../host/distill/compare-plot.ts';
import { profileMultiplyAdds, kernelMultiplyAdds } from '../../../host/distill/multiply-adds.ts';
import { evaluateTeacher } from '../../../host/distill/teacher-eval.ts';
import { builtinDescriptor, createTeacher } from '../../../host/distill/teacher-registry.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';
import { BlazeFaceDetector } from '../../../device/detectors/blazeface-detector.ts';
import { defaultDetectorPath } from '../../../device/pipeline.ts';

test.before(async () => { await initBackend('wasm'); });

test('multiply-adds counted from a profiled forward pass equal the layer-config count of agekit nets', async (t) => {
  for (const [net, head] of [['mobilenet64', 'dex'], ['mobilenet64', 'regression']] as const) {
    const model = buildNet(net, { head });
    const [h, w] = [model.inputs[0].shape[1]!, model.inputs[0].shape[2]!];
    const profiled = await profileMultiplyAdds(() => model.predict(tf.zeros([1, h, w, 3])) as tf.Tensor);
    t.is(profiled, countMultiplyAdds(model), `${net} ${head}`);
    model.dispose();
  }
  t.is(kernelMultiplyAdds('MatMul', [[1, 512], [2, 512]], [[1, 2]]), 1024, 'transposed b: K is still 512');
  t.is(kernelMultiplyAdds('Relu', [[1, 8]], [[1, 8]]), 0);
});

dataTest(test).serial('compare measures a teacher and a checkpoint on the same faces, with speed-up relative to the teacher', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-compare-'));
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=8:seed=2`);
  const model = buildNet('mobilenet64', { head: 'dex', seed: 3 });
  const meta: ModelMetadata = {
    format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mobilenet64', inputSize: [64, 64], preprocessing: 'vggface2',
    head: 'dex', readout: defaultReadout('dex'), crop: { margin: 0, square: true },
  };
  const ckpt = join(dir, 'student');
  await saveCheckpoint(ckpt, model, meta);
  const detector = await BlazeFaceDetector.create({ modelPath: defaultDetectorPath(), threads: 1 });
  const rows = await compareModels(['faceapi', ckpt], ds, { repeatsBatch1: 3, repeatsBatchN: 1, batchN: 8, camera: { detector, seed: 1 } });
  await detector.close();
  t.is(rows.length, 2);
  const [teacher, student] = rows;
  t.like(teacher, { model: 'faceapi', kind: 'teacher', n: 8, speedUp: 1 });
  t.like(student, { kind: 'checkpoint', n: 8, parameters: countParams(model), multiplyAdds: countMultiplyAdds(model) });
  // The teacher's MAE is the one its own evaluation gives on the same faces.
  const faceapi = await createTeacher(builtinDescriptor('faceapi'));
  const direct = await evaluateTeacher(faceapi, ds.samples);
  await faceapi.close();
  t.true(Math.abs(teacher.mae - direct.metrics.mae) < 1e-4);
  for (const r of rows) {
    t.true(r.msPerImage > 0 && r.imagesPerSecond > 0 && r.fileBytes! > 0, JSON.stringify(r));
    t.true(Math.abs(r.speedUp - teacher.msPerImage / r.msPerImage) < 1e-9);
  }
  // Both models measured through the camera path on the same scenes: every face found or counted as missed.
  for (const r of rows) {
    t.is(r.camera!.found + r.camera!.missed, 8, r.model);
    if (r.camera!.metrics) t.is(r.camera!.metrics.n, r.camera!.found);
  }
  t.is(rows[0].camera!.found, rows[1].camera!.found, 'the same frames and detector for every model');
  const table = formatCompareTable(rows);
  const [main, decades] = table.split('\n\n');
  t.is(main.trim().split('\n').length, 3);
  t.regex(main, /^model\s+input\s+n\s+MAE\s+bias\s+cam MAE\s+cam bias\s+missed\s+params\s+mult-adds\s+size\s+ms\/img b1\s+img\/s b32\s+speed-up/);
  // Signed error per decade: a column per model and path, a row per decade present.
  t.regex(decades, /\[4\] .*student camera/);
  t.is(decades.trim().split('\n').filter((l) => /^\d+-\d+ /.test(l)).length, new Set(ds.samples.map((s) => Math.floor(s.age! / 10))).size);
  const json = compareJson(rows, ds.spec, 'wasm') as { dataset: string; models: { by_decade: { bias: number }[]; camera: { missed: number } }[] };
  t.is(json.dataset, ds.spec);
  for (const m of json.models) { t.true(m.by_decade.length > 0 && m.by_decade.every((d) => Number.isFinite(d.bias))); t.true(m.camera.missed >= 0); }
  const png = join(dir, 'plot.png');
  await writeComparePlot(rows, png);
  const info = await sharp(png).metadata();
  t.like(info, { format: 'png', width: 800, height: 500 });
  model.dispose();
});

test('plot labels of models on the same spot do not cover each other', (t) => {
  const bounds = { left: 70, right: 770, top: 40, bottom: 440 };
  const placed: LabelBox[] = [];
  // Three students of one network (same ms, MAE 0.01 apart) and one at the plot's right edge.
  for (const [x, y] of [[400, 200], [400, 201], [400, 199], [765, 300]]) placed.push(placeLabel(placed, x, y, 150, 7, bounds, placed.length % 2 === 1));
  for (let i = 0; i < placed.length; i++) {
    const a = placed[i];
    t.true(a.x >= bounds.left && a.x + a.w <= bounds.right && a.y >= bounds.top && a.y + a.h <= bounds.bottom, `label ${i} inside the plot: ${JSON.stringify(a)}`);
    for (let j = 0; j < i; j++) {
      const b = placed[j];
      const apart = a.x >= b.x + b.w || b.x >= a.x + a.w || a.y >= b.y + b.h || b.y >= a.y + a.h;
      t.true(apart, `labels ${j} and ${i} overlap: ${JSON.stringify(b)} ${JSON.stringify(a)}`);
    }
  }
  t.true(Math.abs(placed[0].y + 3.5 - 200) <= 12, 'the first label sits next to its point');
});
