import test from 'ava';
import { createRangeObserver, type CalibrationMethod } from '../../../calibration/ranges/range-observer.ts';
import { activationQuant } from '../../../converters/quantize/quantize-params.ts';

/** Deterministic pseudo-random normal values (Box-Muller over a linear congruential generator). */
function normals(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

function observe(method: CalibrationMethod, batches: Float32Array[], percentile?: number) {
  const obs = createRangeObserver(method, { percentile });
  for (let pass = 0; pass < obs.passes; pass++) for (const b of batches) obs.observe(b, pass);
  return obs.range();
}

/** Mean squared int8 round-trip error of values under a range. */
function int8Error(values: Float32Array, min: number, max: number): number {
  const q = activationQuant(min, max);
  const s = q.scale[0], z = q.zeroPoint[0];
  let e = 0;
  for (const v of values) {
    const r = s * (Math.min(127, Math.max(-128, Math.round(v / s + z))) - z);
    e += (r - v) ** 2;
  }
  return e / values.length;
}

const batches = [normals(20000, 1), normals(20000, 2)];
// A few huge outliers, as a bright pixel or a rare channel gives.
batches[1][17] = 40;
batches[1][99] = -25;

test('minmax keeps the extremes and always includes zero', (t) => {
  t.deepEqual(observe('minmax', batches), { min: -25, max: 40 });
  const positive = [Float32Array.from([0.5, 2, 3])];
  t.deepEqual(observe('minmax', positive), { min: 0, max: 3 });
});

test('percentile 99.99 ignores the outliers; lower percentiles clip more', (t) => {
  const r = observe('percentile', batches);
  t.true(r.max > 3 && r.max < 5, `max ${r.max}`);
  t.true(r.min < -3 && r.min > -5, `min ${r.min}`);
  const r99 = observe('percentile', batches, 99);
  t.true(r99.max < r.max && r99.max > 2 && r99.max < 2.7, `p99 max ${r99.max}`);
  t.throws(() => createRangeObserver('percentile', { percentile: 40 }), { instanceOf: RangeError });
});

test('mse picks a clipped range whose int8 error is below minmax and full-range error', (t) => {
  const all = new Float32Array(40000);
  all.set(batches[0]); all.set(batches[1], 20000);
  const mm = observe('minmax', batches), mse = observe('mse', batches);
  t.true(mse.max < mm.max && mse.min > mm.min);
  const eMse = int8Error(all, mse.min, mse.max), eMinmax = int8Error(all, mm.min, mm.max);
  t.true(eMse < eMinmax, `mse ${eMse} minmax ${eMinmax}`);
});

test('observers of a constant-zero tensor give a zero range that still quantizes', (t) => {
  for (const m of ['minmax', 'percentile', 'mse'] as const) {
    const r = observe(m, [new Float32Array(100)]);
    t.deepEqual(r, { min: 0, max: 0 }, m);
    const q = activationQuant(r.min, r.max);
    t.true(q.scale[0] > 0);
  }
});
