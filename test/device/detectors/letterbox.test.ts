import test from 'ava';
import { letterbox, planLetterbox } from '../../../device/detectors/letterbox.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene } from '../support/face-scene.ts';

/** Straightforward reference: every output pixel averages taps x taps bilinear samples of the frame. */
function referencePixel(rgb: Uint8Array, W: number, H: number, size: number, u: number, v: number): [number, number, number] {
  const scale = size / Math.max(W, H), inv = 1 / scale;
  const padX = (size - W * scale) / 2, padY = (size - H * scale) / 2;
  const taps = Math.max(1, Math.min(4, Math.floor(inv / 2)));
  const acc = [0, 0, 0];
  for (let ty = 0; ty < taps; ty++) {
    for (let tx = 0; tx < taps; tx++) {
      const sx = Math.min(W - 1, Math.max(0, (u + (tx + 0.5) / taps - padX) * inv - 0.5));
      const sy = Math.min(H - 1, Math.max(0, (v + (ty + 0.5) / taps - padY) * inv - 0.5));
      const x0 = Math.floor(sx), y0 = Math.floor(sy), x1 = Math.min(W - 1, x0 + 1), y1 = Math.min(H - 1, y0 + 1);
      const fx = sx - x0, fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const p = (x: number, y: number) => rgb[(y * W + x) * 3 + c];
        acc[c] += (1 - fx) * (1 - fy) * p(x0, y0) + fx * (1 - fy) * p(x1, y0) + (1 - fx) * fy * p(x0, y1) + fx * fy * p(x1, y1);
      }
    }
  }
  return acc.map((a) => (a / (taps * taps)) * (2 / 255) - 1) as [number, number, number];
}

for (const [W, H] of [[640, 480], [1280, 960], [480, 640]]) {
  dataTest(test)(`letterbox ${W}x${H} -> 256 matches a per-pixel bilinear reference on a real face scene, bands in model black`, async (t) => {
    const utk = requireUtkface(t);
    if (!utk) return;
    const [face] = pickValFaces(utk, 1);
    const [rgb] = await renderScene({ width: W, height: H, frames: 1, faces: [{ face, size: Math.round(H / 3), from: [Math.round(W / 3), Math.round(H / 4)], to: [Math.round(W / 3), Math.round(H / 4)] }] });
    // Reused output full of garbage: the letterbox must write every value.
    const out = new Float32Array(256 * 256 * 3).fill(7);
    const { input, map } = letterbox({ width: W, height: H, data: rgb }, 256, -1, 1, out);
    t.is(input, out);
    t.false(input.some((x) => x === 7), 'every value written');
    let worst = 0;
    const inside = (u: number, v: number) => u >= Math.floor(map.padX) && u < Math.ceil(256 - map.padX) && v >= Math.floor(map.padY) && v < Math.ceil(256 - map.padY);
    for (let v = 0; v < 256; v += 3) {
      for (let u = 0; u < 256; u += 5) {
        const o = (v * 256 + u) * 3;
        if (!inside(u, v)) { t.deepEqual([input[o], input[o + 1], input[o + 2]], [-1, -1, -1]); continue; }
        const ref = referencePixel(rgb, W, H, 256, u, v);
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(ref[c] - input[o + c]));
      }
    }
    t.true(worst < 1e-5, `largest difference from the reference ${worst}`);
  });
}

dataTest(test)('a letterbox plan is reused across frames of its size and ignored for another size', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 2);
  const scenes = await Promise.all(faces.map((face, i) => renderScene({ width: 640, height: 480, frames: 1, faces: [{ face, size: 150, from: [100 + 200 * i, 120], to: [100 + 200 * i, 120] }] })));
  const plan = planLetterbox(640, 480, 256);
  t.deepEqual(plan.map, { scale: 0.4, padX: 0, padY: 32 });
  t.deepEqual([plan.x0, plan.x1, plan.y0, plan.y1, plan.taps], [0, 256, 32, 224, 1]);
  for (const [rgb] of scenes) {
    const withPlan = letterbox({ width: 640, height: 480, data: rgb }, 256, -1, 1, undefined, plan);
    const fresh = letterbox({ width: 640, height: 480, data: rgb }, 256, -1, 1);
    t.deepEqual(withPlan.input, fresh.input);
    t.deepEqual(withPlan.map, fresh.map);
    t.not(withPlan.map, plan.map, 'the caller gets its own map object');
  }
  // A 480x640 frame with the 640x480 plan: the plan is not used.
  const [tall] = await renderScene({ width: 480, height: 640, frames: 1, faces: [{ face: faces[0], size: 150, from: [100, 200], to: [100, 200] }] });
  const a = letterbox({ width: 480, height: 640, data: tall }, 256, -1, 1, undefined, plan);
  t.deepEqual(a.map, { scale: 0.4, padX: 32, padY: 0 });
  t.deepEqual(a.input, letterbox({ width: 480, height: 640, data: tall }, 256, -1, 1).input);
});
