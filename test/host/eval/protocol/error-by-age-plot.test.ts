import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../../../../core/errors.ts';
import { errorByAge, writeErrorByAgePlot } from '../../../../host/eval/protocol/error-by-age-plot.ts';
import { niceRange, niceStep, yToPx } from '../../../../host/eval/protocol/plot-canvas.ts';

test('per-year absolute and signed errors match hand-computed values', (t) => {
  // true 20.4 (pred 25), 20.9 (pred 18), 35 (pred 30): year 20 -> |4.6|,|-2.9| ; year 35 -> -5
  const bins = errorByAge([25, 18, 30], [20.4, 20.9, 35]);
  t.is(bins.length, 2);
  t.is(bins[0].age, 20); t.is(bins[0].n, 2);
  t.true(Math.abs(bins[0].mae - 3.75) < 1e-9);
  t.true(Math.abs(bins[0].bias - 0.85) < 1e-9);
  t.deepEqual(bins[1], { age: 35, n: 1, mae: 5, bias: -5 });
  t.throws(() => errorByAge([1], []), { instanceOf: DataError });
});

test('axis ticks are round numbers', (t) => {
  t.is(niceStep(12), 2);
  t.is(niceStep(1.2), 0.2);
  t.deepEqual(niceRange(0, 13.2), { yMin: 0, yMax: 14, step: 2 });
  t.deepEqual(niceRange(-7, 7), { yMin: -8, yMax: 8, step: 2 });
});

test('the plot draws each year\'s bars where its errors are: MAE height on top, over/under colour and height below', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-eplot-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const truth = Array.from({ length: 300 }, (_, i) => (i * 7) % 90 + 1);
  const pred = truth.map((a) => a + (a < 40 ? 3 : -6) + ((a * 13) % 5) - 2);
  const png = join(dir, 'err.png');
  const bins = await writeErrorByAgePlot(pred, truth, png, 'synthetic');
  t.is(bins.length, 90);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  t.is(info.height, 640);
  const at = (x: number, y: number) => [data[(y * info.width + x) * info.channels], data[(y * info.width + x) * info.channels + 1], data[(y * info.width + x) * info.channels + 2]].join(',');
  // The documented layout: 60 px left margin, (maxAge + 1) columns of px each; top panel y 50..270, bottom 320..540.
  const maxAge = Math.max(10, Math.ceil((bins[bins.length - 1].age + 1) / 10) * 10), px = Math.max(3, Math.floor(900 / (maxAge + 1))), left = 60;
  const top = { left, top: 50, width: (maxAge + 1) * px, height: 220, ...niceRange(0, Math.max(...bins.map((b) => b.mae)) * 1.05) };
  const lim = Math.max(1, ...bins.map((b) => Math.abs(b.bias))) * 1.05;
  const bottom = { left, top: 320, width: (maxAge + 1) * px, height: 220, ...niceRange(-lim, lim) };
  const column = (x: number, y0: number, y1: number, colour: string) => { let n = 0; for (let y = y0; y < y1; y++) if (at(x, y) === colour) n++; return n; };
  for (const b of bins) {
    const x = left + b.age * px + Math.floor(px / 2) - 1;
    // Top panel: a blue bar from the baseline up to the MAE, nothing blue above it.
    const want = yToPx(top, 0) - yToPx(top, b.mae);
    const blue = column(x, 50, 271, '65,105,225');
    t.true(Math.abs(blue - want) <= 1.5, `age ${b.age}: MAE ${b.mae.toFixed(2)} wants ${want.toFixed(1)} px of bar, drew ${blue}`);
    // Bottom panel: red above zero for over-estimates, green below for under-estimates, with the bias as height.
    const over = column(x, 320, 541, '200,40,60'), under = column(x, 320, 541, '60,160,90');
    const h = Math.abs(yToPx(bottom, b.bias) - yToPx(bottom, 0));
    if (b.bias > 0.5) t.true(over > 0 && under === 0 && Math.abs(over - h) <= 1.5, `age ${b.age}: bias ${b.bias.toFixed(2)} wants ${h.toFixed(1)} px of red, drew ${over} red ${under} green`);
    if (b.bias < -0.5) t.true(under > 0 && over === 0 && Math.abs(under - h) <= 1.5, `age ${b.age}: bias ${b.bias.toFixed(2)} wants ${h.toFixed(1)} px of green, drew ${under} green ${over} red`);
  }
  // An empty year draws nothing: column 0 (no face aged 0).
  t.is(column(left + Math.floor(px / 2), 50, 541, '65,105,225'), 0);
});
