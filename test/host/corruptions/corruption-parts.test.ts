import test from 'ava';
import { SeededRandom } from '../../../host/data/seeded-random.ts';
import { defocusImage, diskKernel, motionBlurImage, zoomFactors } from '../../../host/corruptions/blur.ts';
import { shiftValue } from '../../../host/corruptions/brightness.ts';
import { scaleContrast } from '../../../host/corruptions/contrast.ts';
import { poisson } from '../../../host/corruptions/noise.ts';
import { borderIndex, correlate2d, fromUnit, gaussianKernel, resizeBox, toUnit } from '../../../host/corruptions/pixel-filters.ts';
import { cannyEdges, distanceToZero, equalizeHist } from '../../../host/corruptions/spatter-layers.ts';

test('border rules: clamp repeats the edge, reflect101 mirrors without repeating it', (t) => {
  t.deepEqual([-2, -1, 0, 4, 5, 6].map((i) => borderIndex(i, 5, 'clamp')), [0, 0, 0, 4, 4, 4]);
  t.deepEqual([-2, -1, 0, 4, 5, 6].map((i) => borderIndex(i, 5, 'reflect101')), [2, 1, 0, 4, 3, 2]);
});

test('kernels are normalized; the disk covers its radius; zoom factors follow numpy arange', (t) => {
  const g = gaussianKernel(2);
  t.is(g.length, 17); // radius round(4 * 2) = 8
  t.true(Math.abs(g.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const { kernel, size } = diskKernel(3, 0.1);
  t.is(size, 17);
  t.true(Math.abs(kernel.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const c = 8; // centre of the 17x17 kernel
  t.true(kernel[c * size + c + 3] > 0, 'inside the radius');
  t.true(kernel[c * size + c + 5] < 1e-6, 'outside the radius (bar anti-aliasing)');
  t.deepEqual(zoomFactors(1).map((z) => +z.toFixed(2)), [1, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09, 1.1]);
  t.deepEqual(zoomFactors(5).map((z) => +z.toFixed(2)), [1, 1.03, 1.06, 1.09, 1.12, 1.15, 1.18, 1.21, 1.24, 1.27, 1.3]);
});

test('motion blur streaks a single bright pixel along the angle, on one side only', (t) => {
  const img = { width: 21, height: 5, data: new Uint8Array(21 * 5 * 3) };
  const at = (x: number, y: number) => (y * 21 + x) * 3;
  img.data.fill(255, at(10, 2), at(10, 2) + 3);
  const out = motionBlurImage(img, 3, 2, 0);
  // Output (x) averages input x..x+6: the dot spreads to x = 4..10, brightest at 10, none right of it.
  t.true(out.data[at(10, 2)] > out.data[at(8, 2)] && out.data[at(8, 2)] > out.data[at(5, 2)] && out.data[at(5, 2)] > 0);
  t.is(out.data[at(11, 2)], 0);
  t.is(out.data[at(10, 1)], 0);
});

test('Poisson draws have the right mean and variance', (t) => {
  const rng = new SeededRandom(5);
  const xs = Array.from({ length: 20000 }, () => poisson(12, rng));
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
  t.true(Math.abs(m - 12) < 0.15, `mean ${m}`);
  t.true(Math.abs(v - 12) < 0.6, `variance ${v}`);
});

test('brightness and contrast against hand-computed pixels', (t) => {
  // (200, 100, 50): V = 200/255; + 0.1 -> V' = 225.5/255; RGB scale by 225.5/200.
  const img = { width: 2, height: 1, data: Uint8Array.from([200, 100, 50, 0, 0, 0]) };
  t.deepEqual([...shiftValue(img, 0.1).data], [226, 113, 56, 26, 26, 26]);
  // - 0.5: V' = 72.5/255, so 200 -> 72.5 (halves round up), 100 -> 36.25, 50 -> 18.125; black stays black.
  t.deepEqual([...shiftValue(img, -0.5).data], [73, 36, 18, 0, 0, 0]);
  // Channel means (100, 50, 25); x 0.5 about them.
  t.deepEqual([...scaleContrast(img, 0.5).data], [150, 75, 38, 50, 25, 13]);
});

test('BOX resize averages on the way down and copies on the way up', (t) => {
  const row = { width: 4, height: 1, data: Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 50, 50, 50]) };
  const down = resizeBox(row, 2, 1);
  t.deepEqual([...down.data], [50, 50, 50, 125, 125, 125]);
  const up = resizeBox(down, 4, 1);
  t.deepEqual([...up.data], [50, 50, 50, 50, 50, 50, 125, 125, 125, 125, 125, 125]);
});

test('Canny finds the outline of a square, the distance transform measures to it, equalizeHist spreads levels', (t) => {
  const w = 20, h = 20;
  const img = new Uint8Array(w * h);
  for (let y = 5; y < 15; y++) for (let x = 5; x < 15; x++) img[y * w + x] = 200;
  const edges = cannyEdges(img, w, h, 50, 150);
  t.is(edges[10 * w + 10], 0, 'no edge inside');
  t.is(edges[0], 0, 'no edge far outside');
  t.true(edges[10 * w + 4] === 255 || edges[10 * w + 5] === 255, 'edge at the left side');
  const dist = distanceToZero(Uint8Array.from([1, 1, 0, 1, 1, 1]), 6, 1);
  t.deepEqual([...dist], [2, 1, 0, 1, 2, 3]);
  const d2 = distanceToZero(Uint8Array.from([0, 1, 1, 1]), 2, 2);
  t.true(Math.abs(d2[3] - Math.SQRT2) < 1e-6);
  t.deepEqual([...distanceToZero(Uint8Array.from([1, 1]), 2, 1)], [Infinity, Infinity]);
  // Levels 10 (x2), 20, 30: cdf after the first level 1, 2 of 2 -> 0, 128, 255.
  t.deepEqual([...equalizeHist(Uint8Array.from([10, 10, 20, 30]))], [0, 0, 128, 255]);
});

test('fast defocus (running sums, then the anti-alias blur) equals filtering with the smoothed disk kernel', (t) => {
  // A deterministic textured image: a checkerboard with gradients, 60x50.
  const w = 60, h = 50;
  const img = { width: w, height: h, data: new Uint8Array(w * h * 3) };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) img.data[(y * w + x) * 3 + c] = ((x >> 2) + (y >> 2)) % 2 ? 40 + 3 * x : 220 - 2 * y + 10 * c;
  for (const [r, alias] of [[3, 0.1], [6.5, 0.5], [10, 0.5]] as const) {
    const fast = defocusImage(img, r, alias);
    const { kernel, size } = diskKernel(r, alias);
    const slow = fromUnit(correlate2d(toUnit(img), w, h, 3, kernel, size, size, 'reflect101'), w, h);
    let max = 0;
    const m = Math.ceil(r) + 3; // away from the borders, where the two apply reflection at different stages
    for (let y = m; y < h - m; y++) for (let x = m; x < w - m; x++) for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(fast.data[(y * w + x) * 3 + c] - slow.data[(y * w + x) * 3 + c]));
    t.true(max <= 1, `radius ${r}: max difference ${max}`);
  }
});
