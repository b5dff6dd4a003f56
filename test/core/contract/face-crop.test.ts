import test from 'ava';
import { join } from 'node:path';
import { cropFace, expandBox, cropTransform, warpAffine, type RgbImage } from '../../../core/contract/face-crop.ts';
import { readRgb } from '../../../core/images.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

function gradient(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const p = (y * w + x) * 3; data[p] = x; data[p + 1] = y; data[p + 2] = 7; }
  return { width: w, height: h, data };
}

test('expandBox squares about the centre, then adds the margin on each side', (t) => {
  t.deepEqual(expandBox({ x: 10, y: 20, w: 40, h: 20 }, { margin: 0, square: true }), { x: 10, y: 10, w: 40, h: 40 });
  t.deepEqual(expandBox({ x: 10, y: 10, w: 40, h: 40 }, { margin: 0.25, square: true }), { x: 0, y: 0, w: 60, h: 60 });
});

test('an identity-sized crop reproduces the pixels exactly', (t) => {
  const img = gradient(32, 24);
  const out = cropFace(img, { x: 4, y: 2, w: 16, h: 16 }, { margin: 0, square: true }, 16, 16);
  for (let v = 0; v < 16; v++) for (let u = 0; u < 16; u++) {
    const p = (v * 16 + u) * 3;
    t.is(out[p], 4 + u); t.is(out[p + 1], 2 + v);
  }
});

test('a flip mirrors the crop left to right', (t) => {
  const img = gradient(16, 16);
  const box = { x: 0, y: 0, w: 16, h: 16 };
  const flipped = warpAffine(img, cropTransform(box, { margin: 0, square: true }, 16, 16, { flip: true }), 16, 16);
  t.is(flipped[0], 15);
  t.is(flipped[15 * 3], 0);
});

test('a 90 degree rotation moves the top-left corner to where the geometry says', (t) => {
  const img = gradient(9, 9);
  const out = warpAffine(img, cropTransform({ x: 0, y: 0, w: 9, h: 9 }, { margin: 0, square: true }, 9, 9, { angleDeg: 90 }), 9, 9);
  // Content turned clockwise as displayed: the output's top-left shows the source's bottom-left,
  // and its top-right shows the source's top-left.
  t.is(out[0], 0); t.is(out[1], 8);
  t.is(out[8 * 3], 0); t.is(out[8 * 3 + 1], 0);
});

dataTest(test)('a real UTKFace face downscaled to 64x64 keeps its mean colour', async (t) => {
  const img = await readRgb(join(utkfaceDir(), 'images/100_0_0_20170112213500903.jpg.chip.jpg'));
  t.is(img.width, 200);
  const crop = cropFace(img, { x: 0, y: 0, w: 200, h: 200 }, { margin: 0, square: true }, 64, 64);
  const mean = (d: Uint8Array) => d.reduce((s, v) => s + v, 0) / d.length;
  t.true(Math.abs(mean(crop) - mean(img.data)) < 2, `crop mean ${mean(crop)} vs image mean ${mean(img.data)}`);
});
