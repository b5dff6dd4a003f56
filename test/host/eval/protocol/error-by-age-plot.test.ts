import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../../../../core/errors.ts';
import { errorByAge, writeErrorByAgePlot } from '../../../../host/eval/protocol/error-by-age-plot.ts';
import { niceRange, niceStep } from '../../../../host/eval/protocol/plot-canvas.ts';

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

test('the plot is written as a PNG covering the ages present', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-eplot-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const truth = Array.from({ length: 300 }, (_, i) => (i * 7) % 90 + 1);
  const pred = truth.map((a) => a + (a < 40 ? 3 : -6) + ((a * 13) % 5) - 2);
  const png = join(dir, 'err.png');
  const bins = await writeErrorByAgePlot(pred, truth, png, 'synthetic');
  t.is(bins.length, 90);
  const meta = await sharp(png).metadata();
  t.is(meta.height, 640);
  t.true(meta.width! >= 60 + 91 * 3);
});
