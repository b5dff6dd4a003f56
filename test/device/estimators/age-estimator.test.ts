import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { AgeEstimator } from '../../../device/estimators/age-estimator.ts';
import { cropFaces } from '../../../device/estimators/crop-faces.ts';
import { loadModelMetadata } from '../../../device/estimators/load-model-metadata.ts';
import type { Frame } from '../../../device/stages.ts';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { pickValFaces, renderScene } from '../support/face-scene.ts';
import { blazefaceTflite, faceresTflite, FACERES_META } from '../support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-estimator-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** A tfjs checkpoint folder of HSE-FaceRes: its model files (linked, not copied) and agekit.json. */
function faceresCheckpoint(withMeta = true): string {
  const ckpt = join(dir, withMeta ? 'faceres' : 'faceres-nometa');
  mkdirSync(ckpt);
  const models = join(projectRoot, 'node_modules', '@vladmandic', 'human', 'models');
  symlinkSync(join(models, 'faceres.json'), join(ckpt, 'model.json'));
  symlinkSync(join(models, 'faceres.bin'), join(ckpt, 'faceres.bin'));
  if (withMeta) writeFileSync(join(ckpt, 'agekit.json'), JSON.stringify(FACERES_META));
  return ckpt;
}

dataTest(test)('the checkpoint on tfjs and its .tflite on native TFLite give the same ages for real faces', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 3, 10, 80);
  const [rgb] = await renderScene({ width: 640, height: 480, frames: 1, faces: faces.map((face, i) => ({ face, size: 150, from: [20 + 210 * i, 150] as [number, number], to: [20 + 210 * i, 150] as [number, number] })) });
  const frame: Frame = { index: 0, tMs: 0, width: 640, height: 480, rgb };
  // Boxes as BlazeFace gives them for these tiles: the face inside the 150 px chip.
  const boxes = faces.map((_, i) => ({ x: 20 + 210 * i + 15, y: 165, w: 120, h: 120, score: 1 }));
  const tfjs = await AgeEstimator.create({ modelPath: faceresCheckpoint(), runtime: 'tfjs' });
  const tflite = await AgeEstimator.create({ modelPath: await faceresTflite(), runtime: 'tflite', threads: 1 });
  t.is(tfjs.id, 'faceres:tfjs');
  const crops = cropFaces(frame, boxes, tfjs.meta);
  t.is(crops[0].rgb.length, 224 * 224 * 3);
  const [a, b] = [await tfjs.estimate(crops), await tflite.estimate(crops)];
  await tfjs.close();
  await tflite.close();
  t.log(`truth ${faces.map((f) => f.age).join(', ')}; tfjs ${a.map((e) => e.age.toFixed(1)).join(', ')}; tflite ${b.map((e) => e.age.toFixed(1)).join(', ')}`);
  for (let i = 0; i < faces.length; i++) {
    t.true(Math.abs(a[i].age - b[i].age) < 0.1, `face ${i}: ${a[i].age} vs ${b[i].age}`);
    t.is(a[i].age, a[i].rawAge, 'no calibration in this metadata');
  }
});

test('models without agekit metadata are clear errors naming the file', async (t) => {
  await t.throwsAsync(loadModelMetadata(await blazefaceTflite()), { message: /blazeface\.tflite: the \.tflite file carries no agekit metadata; convert the checkpoint with agekit convert/ });
  await t.throwsAsync(loadModelMetadata(faceresCheckpoint(false)), { message: /agekit\.json: checkpoint has no agekit\.json/ });
});
