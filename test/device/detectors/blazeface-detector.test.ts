import test from 'ava';
import { BlazeFaceDetector, blazeFaceLayout } from '../../../device/detectors/blazeface-detector.ts';
import { blazeFaceAnchors } from '../../../device/detectors/blazeface-anchors.ts';
import { nonMaxSuppression, iou } from '../../../device/detectors/non-max-suppression.ts';
import { letterbox } from '../../../device/detectors/letterbox.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene, type Scene } from '../support/face-scene.ts';
import { scoreDetections } from '../support/scene-truth.ts';
import { blazefaceTflite, blazefaceGraphModel } from '../support/device-models.ts';
import type { Box } from '../../../core/contract/face-crop.ts';

test('anchors: 896 centres for 256 px, 16x16 cells of stride 16 twice, then 8x8 of stride 32 six times', (t) => {
  const a = blazeFaceAnchors(256);
  t.is(a.length, 896 * 2);
  t.deepEqual([a[0], a[1], a[2], a[3], a[4]], [8, 8, 8, 8, 24]);
  t.deepEqual([a[512 * 2], a[512 * 2 + 1]], [16, 16]);
  t.deepEqual([a[895 * 2], a[895 * 2 + 1]], [240, 240]);
});

test('output layout is found by element counts in any order; foreign outputs are a clear error', (t) => {
  const l = blazeFaceLayout([6144, 512, 384, 8192], 896, 'x');
  t.deepEqual(l.scores.map((s) => s.out), [1, 2]);
  t.deepEqual(l.boxes.map((b) => [b.out, b.stride]), [[3, 16], [0, 16]]);
  const single = blazeFaceLayout([896 * 17], 896, 'x');
  t.is(single.boxes[0].stride, 17);
  t.throws(() => blazeFaceLayout([1000, 12], 896, 'student.tflite'), { message: /student\.tflite: model outputs do not look like BlazeFace \(element counts 1000, 12\)/ });
});

test('NMS keeps the best of overlapping boxes and separate boxes', (t) => {
  const boxes = [
    { x: 0, y: 0, w: 10, h: 10, score: 0.6 }, { x: 1, y: 1, w: 10, h: 10, score: 0.9 }, { x: 50, y: 50, w: 10, h: 10, score: 0.7 },
  ];
  t.deepEqual(nonMaxSuppression(boxes, 0.3), [1, 2]);
  t.deepEqual(nonMaxSuppression(boxes, 0.3, 1), [1]);
  t.is(iou(boxes[0], { x: 20, y: 20, w: 5, h: 5 }), 0);
});

test('letterbox keeps the aspect ratio: a 640x480 frame is centred with 32 px bands, black in model units', (t) => {
  const img = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(255) };
  const { input, map } = letterbox(img, 256, -1, 1);
  t.is(map.scale, 0.4);
  t.is(map.padY, 32);
  t.is(input[(10 * 256 + 128) * 3], -1);
  t.true(Math.abs(input[(128 * 256 + 128) * 3] - 1) < 1e-6);
});

/** A still scene: faces of 50..180 px at known places. */
async function stillScenes(utk: string): Promise<{ scene: Scene; frames: Uint8Array[] }[]> {
  const faces = pickValFaces(utk, 12);
  const layouts: Array<Array<[number, number, number]>> = [
    [[180, 20, 30], [100, 300, 200], [60, 520, 40], [50, 420, 330]],
    [[140, 60, 260], [90, 400, 40], [70, 30, 380], [120, 480, 320]],
    [[160, 420, 200], [80, 40, 60], [64, 250, 40], [100, 160, 300]],
  ];
  return Promise.all(layouts.map(async (layout, s) => {
    const scene: Scene = { width: 640, height: 480, frames: 1, faces: layout.map(([size, x, y], i) => ({ face: faces[s * 4 + i], size, from: [x, y], to: [x, y] })) };
    return { scene, frames: await renderScene(scene) };
  }));
}

for (const runtime of ['tflite', 'tfjs'] as const) {
  dataTest(test)(`${runtime}: real UTKFace faces on a background are found where they were placed (recall >= 0.9 at >= 60 px)`, async (t) => {
    const utk = requireUtkface(t);
    if (!utk) return;
    const detector = await BlazeFaceDetector.create({ modelPath: runtime === 'tflite' ? await blazefaceTflite() : blazefaceGraphModel, threads: 1 });
    let found = 0, placed = 0, fp = 0;
    for (const { scene, frames } of await stillScenes(utk)) {
      const boxes: Box[][] = [await detector.detect({ index: 0, tMs: 0, width: 640, height: 480, rgb: frames[0] })];
      const s = scoreDetections(scene, boxes, 60);
      found += s.found; placed += s.placed; fp += s.falsePositives;
    }
    await detector.close();
    t.log(`${runtime}: recall ${found}/${placed}, ${fp} false positives`);
    t.true(found / placed >= 0.9, `recall ${found}/${placed}`);
    t.true(fp <= 1, `${fp} false positives`);
  });
}

dataTest(test)('--min-face drops faces smaller than the limit', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [{ scene, frames }] = await stillScenes(utk);
  const detector = await BlazeFaceDetector.create({ modelPath: await blazefaceTflite(), threads: 1, minFacePx: 90 });
  const boxes = await detector.detect({ index: 0, tMs: 0, width: 640, height: 480, rgb: frames[0] });
  await detector.close();
  t.true(boxes.length >= 1);
  t.true(boxes.every((b) => Math.max(b.w, b.h) >= 90));
  t.true(boxes.length < scene.faces.length);
});
