// Attention from BlazeFace keypoints: the proxy on hand-made points, the keypoints of real UTKFace faces in frame pixels through
// the letterbox, and attention_s end to end (ffmpeg, BlazeFace on the real TFLite runtime, the events file) for frontal faces and
// faces with a simulated head turn (a 2D warp: see README "Attention" for what that does not capture).
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { headTurn, isAttentive } from '../../../device/attention/head-turn.ts';
import { BlazeFaceDetector } from '../../../device/detectors/blazeface-detector.ts';
import { runDevice } from '../../../device/cli/run-device.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { encodeVideo, faceTile, pickValFaces, renderScene, type PlacedFace, type Scene, type UtkFace } from '../support/face-scene.ts';
import { yawWarp } from '../support/turned-face.ts';
import { blazefaceTflite } from '../support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-attention-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('yaw is the nose offset along the eye line over the eye distance, pitch its drop towards the mouth; roll is not a turn', (t) => {
  const frontal = [{ x: 40, y: 50 }, { x: 80, y: 50 }, { x: 60, y: 70 }, { x: 60, y: 90 }];
  t.deepEqual(headTurn(frontal), { yaw: 0, pitch: 0.5 });
  t.is(headTurn([frontal[0], frontal[1], { x: 72, y: 70 }, frontal[3]])!.yaw, 0.3, 'nose 12 px right of the midpoint, eyes 40 px apart');
  // The same face rolled 90 degrees (eyes one above the other): still frontal.
  const rolled = headTurn([{ x: 50, y: 40 }, { x: 50, y: 80 }, { x: 30, y: 60 }, { x: 10, y: 60 }])!;
  t.true(Math.abs(rolled.yaw) < 1e-9 && Math.abs(rolled.pitch - 0.5) < 1e-9);
  t.is(headTurn([frontal[0], frontal[0], frontal[2], frontal[3]]), undefined, 'eyes on one point');
  t.false(isAttentive({ x: 0, y: 0, w: 10, h: 10, score: 1 }), 'no keypoints: not attentive');
  t.true(isAttentive({ x: 0, y: 0, w: 10, h: 10, score: 1, keypoints: frontal }));
  t.false(isAttentive({ x: 0, y: 0, w: 10, h: 10, score: 1, keypoints: [frontal[0], frontal[1], { x: 76, y: 70 }, frontal[3]] }), 'yaw 0.4');
});

dataTest(test)('BlazeFace keypoints are in frame pixels in landscape and portrait frames: eyes, nose and mouth inside the face, in order', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const detector = await BlazeFaceDetector.create({ modelPath: await blazefaceTflite(), threads: 1 });
  t.teardown(() => detector.close());
  const faces = pickValFaces(utk, 6, 12, 75);
  for (const [width, height] of [[640, 480], [480, 640]]) {
    for (const face of faces) {
      const scene: Scene = { width, height, frames: 1, faces: [{ face, size: 150, from: [width - 220, 60], to: [width - 220, 60] }] };
      const [rgb] = await renderScene(scene);
      const [box] = await detector.detect({ index: 0, tMs: 0, width, height, rgb });
      const tile = faceTile(scene, 0, 0);
      t.truthy(box?.keypoints, `${width}x${height} ${face.path}: a face with keypoints`);
      const [re, le, nose, mouth, rEar, lEar] = box.keypoints!;
      for (const p of [re, le, nose, mouth]) t.true(p.x > tile.x && p.x < tile.x + tile.w && p.y > tile.y && p.y < tile.y + tile.h, `${width}x${height}: ${JSON.stringify(p)} inside the tile ${JSON.stringify(tile)}`);
      // The person's right eye and ear are on the image's left; eyes above the nose above the mouth.
      t.true(re.x < nose.x && nose.x < le.x && rEar.x < re.x && le.x < lEar.x);
      t.true(Math.max(re.y, le.y) < nose.y && nose.y < mouth.y);
    }
  }
});

/** A 640x480 video of 6 faces of 140 px on a 3x2 grid, each drifting a few pixels, all in view on every frame. */
async function gridVideo(name: string, faces: UtkFace[], warp: (i: number) => PlacedFace['warp']): Promise<string> {
  const placed = faces.map((face, i): PlacedFace => {
    const x = 40 + (i % 3) * 200, y = 50 + Math.floor(i / 3) * 220;
    return { face, size: 140, from: [x, y], to: [x + 6, y + 4], warp: warp(i) };
  });
  const scene: Scene = { width: 640, height: 480, frames: FRAMES, faces: placed };
  const video = join(dir, `${name}.mp4`);
  await encodeVideo(await renderScene(scene), scene.width, scene.height, 10, video);
  return video;
}
const FRAMES = 15;

async function trackEnds(video: string, name: string): Promise<Array<Record<string, any>>> {
  const eventsOut = join(dir, `${name}.jsonl`);
  await runDevice({ source: `file:${video}`, detector: await blazefaceTflite(), ages: false, threads: 1, status: false, out: join(dir, `${name}-frames.jsonl`), eventsOut, deviceId: 'att' },
    new AbortController().signal, { stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
  return readFileSync(eventsOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'track_end');
}

const share = (ends: Array<Record<string, any>>) => ends.reduce((s, e) => s + e.attention_s, 0) / ends.reduce((s, e) => s + e.dwell_s, 0);

dataTest(test)('through the device pipeline, frontal faces are attentive in at least 90% of their time and faces turned by a strong warp in under half', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 18, 12, 75);
  const frontal: Array<Record<string, any>> = [], turned: Array<Record<string, any>> = [];
  for (let v = 0; v < 3; v++) {
    const six = faces.slice(v * 6, v * 6 + 6);
    frontal.push(...await trackEnds(await gridVideo(`frontal-${v}`, six, () => undefined), `frontal-${v}`));
    // Half turned to one side, half to the other: the midline moved 80% of the way to the tile's edge.
    turned.push(...await trackEnds(await gridVideo(`turned-${v}`, six, (i) => yawWarp(i % 2 ? 0.8 : -0.8)), `turned-${v}`));
  }
  t.log(`frontal: ${frontal.length} tracks, attention ${(100 * share(frontal)).toFixed(1)}% of dwell; per track ${frontal.map((e) => `${e.attention_s}/${e.dwell_s}`).join(' ')}`);
  t.log(`turned (warp 0.8): ${turned.length} tracks, attention ${(100 * share(turned)).toFixed(1)}% of dwell; per track ${turned.map((e) => `${e.attention_s}/${e.dwell_s}`).join(' ')}`);
  t.true(frontal.length >= 18 && turned.length >= 15, `every frontal face tracked (${frontal.length}), nearly every turned one (${turned.length})`);
  t.true(frontal.every((e) => e.attention_s <= e.dwell_s) && turned.every((e) => e.attention_s <= e.dwell_s));
  t.true(share(frontal) >= 0.9, `frontal: ${(100 * share(frontal)).toFixed(1)}%`);
  t.true(share(turned) < 0.5, `turned: ${(100 * share(turned)).toFixed(1)}%`);
});
