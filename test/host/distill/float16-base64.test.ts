// Half-float base64 cells: round trip precision, special values, and rejection of foreign text.
import test from 'ava';
import { decodeFloat16Base64, encodeFloat16Base64, fromFloat16Bits, toFloat16Bits } from '../../../host/distill/float16-base64.ts';

test('a probability distribution survives the round trip within half-float precision', (t) => {
  const n = 100;
  const p = new Float32Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += (p[k] = Math.exp(-((k - 37.3) ** 2) / 50));
  for (let k = 0; k < n; k++) p[k] /= sum;
  const text = encodeFloat16Base64(p);
  t.is(text.length, Math.ceil((2 * n) / 3) * 4);
  const back = decodeFloat16Base64(text)!;
  t.is(back.length, n);
  let e0 = 0, e1 = 0;
  for (let k = 0; k < n; k++) {
    t.true(Math.abs(back[k] - p[k]) <= Math.max(p[k] * 2 ** -11, 2 ** -25), `bin ${k}: ${back[k]} vs ${p[k]}`);
    e0 += k * p[k]; e1 += k * back[k];
  }
  t.true(Math.abs(e0 - e1) < 0.01, `expected age ${e0} vs ${e1}`);
});

test('exact half floats, infinities and rounding to nearest even', (t) => {
  for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, 1 + 2 ** -10]) t.is(fromFloat16Bits(toFloat16Bits(v)), v);
  t.is(fromFloat16Bits(toFloat16Bits(1e6)), Infinity);
  t.is(toFloat16Bits(1 + 2 ** -11), toFloat16Bits(1)); // tie: rounds to the even mantissa
  t.is(toFloat16Bits(1 + 3 * 2 ** -11), toFloat16Bits(1 + 2 ** -9)); // tie: rounds up to even
});

test('text that is not base64 of half floats is refused', (t) => {
  t.is(decodeFloat16Base64('not base64!'), undefined);
  t.is(decodeFloat16Base64('AAAA'), undefined); // 3 bytes are not a whole number of half floats
  t.deepEqual(decodeFloat16Base64('AAA='), new Float32Array(1)); // 2 bytes: one zero
});
