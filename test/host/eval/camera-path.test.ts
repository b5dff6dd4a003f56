// The camera path of evaluation: real UTKFace faces placed in 640x480 frames, found by the
// shipped BlazeFace (native TFLite), cropped by the device's cropFaces and aged by the shipped
// int8 student; the chip path of the same run matches `agekit eval`'s; detector box statistics.
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { BlazeFaceDetector } from '../../../device/detectors/blazeface-detector.ts';
import { defaultDetectorPath, defaultStudentPath } from '../../../device/pipeline.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { SeededRandom } from '../../../host/data/seeded-random.ts';
import { readRgb } from '../../../core/images.ts';
import { openAgePredictor } from '../../../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../../../host/eval/evaluate.ts';
import { evaluateCameraPath, predictorCropModel } from '../../../host/eval/camera-path.ts';
import { renderCameraScene } from '../../../host/eval/camera-scene.ts';
import { boxNoise } from '../../../host/eval/box-noise.ts';
import { DataError } from '../../../core/errors.ts';
import { dataTest, projectRoot, utkfaceDir } from '../../support/shared-data.ts';

dataTest(test)('a scene holds the face at a drawn size inside the frame, and the same seed draws the same frame', async (t) => {
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=1:seed=4`);
  const face = await readRgb(ds.samples[0].path);
  const a = renderCameraScene(face, undefined, new SeededRandom(7), { noise: 0 });
  const b = renderCameraScene(face, undefined, new SeededRandom(7), { noise: 0 });
  const c = renderCameraScene(face, undefined, new SeededRandom(8), { noise: 0 });
  t.deepEqual(a.faceBox, b.faceBox);
  t.true(Buffer.from(a.frame.data).equals(Buffer.from(b.frame.data)));
  t.false(Buffer.from(a.frame.data).equals(Buffer.from(c.frame.data)));
  const { x, y, w, h } = a.faceBox;
  t.is(a.frame.width, 640); t.is(a.frame.height, 480);
  t.true(w >= 90 && w <= 190 && Math.abs(w - h) < 1e-9, `side ${w}`);
  t.true(x >= 0 && y >= 0 && x + w <= 640 && y + h <= 480);
  // The face itself is in the frame: the centre pixel is the chip's centre pixel (resampled).
  const fx = Math.floor(x + w / 2), fy = Math.floor(y + h / 2);
  const cx = Math.floor(face.width / 2), cy = Math.floor(face.height / 2);
  for (let ch = 0; ch < 3; ch++) {
    t.true(Math.abs(a.frame.data[(fy * 640 + fx) * 3 + ch] - face.data[(cy * face.width + cx) * 3 + ch]) < 40);
  }
  t.throws(() => renderCameraScene(face, undefined, new SeededRandom(1), { facePx: [300, 600] }), { instanceOf: DataError, message: /facePx.*300-600/ });
});

test('box noise: centre offsets in units of the true side, scale as a ratio, spread within each face', (t) => {
  const truth = { x: 100, y: 100, w: 100, h: 100 };
  const n = boxNoise([
    { faceId: 0, truth, detected: { x: 110, y: 100, w: 100, h: 100 } },
    { faceId: 0, truth, detected: { x: 90, y: 100, w: 100, h: 100 } },
    { faceId: 1, truth, detected: { x: 105, y: 105, w: 90, h: 90 } },
    { faceId: 1, truth, detected: { x: 105, y: 105, w: 90, h: 90 } },
  ])!;
  t.is(n.n, 4); t.is(n.faces, 2);
  t.true(Math.abs(n.dx.mean - 0) < 1e-12);
  t.true(Math.abs(n.scale.mean - 0.95) < 1e-12);
  // dx of face 0 is +-0.1 about its mean, face 1 has none: pooled within-face sd sqrt(0.02 / 2).
  t.true(Math.abs(n.dx.withinFaceSd! - 0.1) < 1e-12);
  t.is(n.scale.withinFaceSd, 0);
  t.is(boxNoise([]), undefined);
});

dataTest(test).serial('the shipped student through chip and camera path on 24 val faces: chip ages equal eval\'s, camera faces found and cropped by the device code', async (t) => {
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=24:seed=9`);
  const student = defaultStudentPath()!;
  const predictor = await openAgePredictor(student, { threads: 1 });
  const detector = await BlazeFaceDetector.create({ modelPath: defaultDetectorPath(), threads: 1 });
  try {
    const plain = await evaluateAgePredictor(predictor, ds, { batchSize: 8 });
    const r = await evaluateCameraPath(predictorCropModel(predictor), ds, { detector, seed: 3, batchSize: 8 });
    t.is(r.samples.length, 24);
    let maxDiff = 0;
    for (let i = 0; i < 24; i++) maxDiff = Math.max(maxDiff, Math.abs(r.chip!.predictions[i] - plain.predictions[i]));
    t.true(maxDiff < 1e-4, `chip path differs from evaluateAgePredictor by ${maxDiff} years`);
    t.true(r.camera.found >= 22, `found ${r.camera.found} of 24`);
    t.is(r.camera.found + r.camera.missed, 24);
    t.is(r.camera.metrics!.n, r.camera.found);
    t.is(r.camera.chipOnFound!.n, r.camera.found);
    // A different crop gives different ages: the camera path is measured, not copied from the chip.
    const diffs = r.samples.map((_, i) => Math.abs(r.camera.predictions![i] - r.chip!.predictions[i])).filter(Number.isFinite);
    t.true(diffs.some((d) => d > 0.5), 'camera ages differ from chip ages');
    const b = r.camera.boxNoise!;
    t.true(b.scale.mean > 0.7 && b.scale.mean < 1.2 && b.iou > 0.5, JSON.stringify(b));
    for (const d of r.camera.metrics!.byDecade) t.true(Number.isFinite(d.bias));
    // The same seed places the faces the same way.
    const again = await evaluateCameraPath(predictorCropModel(predictor), ds, { detector, seed: 3, chip: false });
    t.deepEqual(Array.from(again.camera.predictions!), Array.from(r.camera.predictions!));
    // Faces far too small for the detector are counted as missed, not scored.
    const tiny = await evaluateCameraPath(predictorCropModel(predictor), { ...ds, samples: ds.samples.slice(0, 4) }, { detector, facePx: [16, 18] });
    t.is(tiny.camera.missed, 4 - tiny.camera.found);
    t.true(tiny.camera.found < 4);
  } finally {
    await predictor.close();
    await detector.close();
  }
});

dataTest(test)('agekit eval --path both prints both paths per decade and stores the camera object with signed error per decade', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-campath-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const json = join(dir, 'val.json');
  const args = ['--import', import.meta.resolve('tsx'), join(projectRoot, 'cli/main.ts'), 'eval', '--model', defaultStudentPath()!,
    '--dataset', `utkface:${utkfaceDir()}:split=val:limit=12:seed=2`, '--path', 'both', '--threads', '1', '--json', json];
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
  t.is(out.code, 0, out.stderr);
  t.regex(out.stdout, /decade +n +chip MAE +bias +camera MAE +bias/);
  t.regex(out.stdout, /^camera +12 /m);
  const report = JSON.parse(await readFile(json, 'utf8'));
  t.is(report.path, 'both');
  t.is(report.n, 12);
  t.is(report.camera.found + report.camera.missed, 12);
  t.true(report.by_decade.every((d: { bias: number }) => Number.isFinite(d.bias)));
  t.true(report.camera.by_decade.every((d: { bias: number }) => Number.isFinite(d.bias)));
  t.deepEqual(report.camera.scene.frame, [640, 480]);
  t.true(report.camera.box_noise.scale.sd >= 0);
});
