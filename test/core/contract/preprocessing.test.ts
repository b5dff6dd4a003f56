import test from 'ava';
import { normalizePixels, denormalizePixels, parsePreprocessing, PREPROCESSINGS, VGGFACE2_MEANS_BGR } from '../../../core/contract/preprocessing.ts';

test('vggface2 swaps to BGR and subtracts the VGGFace2 means without scaling', (t) => {
  const rgb = new Uint8Array([200, 100, 50]);
  const x = normalizePixels(rgb, 'vggface2');
  t.deepEqual(Array.from(x).map((v) => +v.toFixed(4)), [50 - VGGFACE2_MEANS_BGR[0], 100 - VGGFACE2_MEANS_BGR[1], 200 - VGGFACE2_MEANS_BGR[2]].map((v) => +v.toFixed(4)));
});

test('unit, tf, z_normalization and no follow their formulas', (t) => {
  const rgb = new Uint8Array([255, 0, 51]);
  t.deepEqual(Array.from(normalizePixels(rgb, 'unit')), [1, 0, 0.2].map(Math.fround));
  t.deepEqual(Array.from(normalizePixels(rgb, 'tf')).map((v) => +v.toFixed(5)), [1, -1, -0.6]);
  t.deepEqual(Array.from(normalizePixels(rgb, 'no')), [255, 0, 51]);
  const z = normalizePixels(rgb, 'z_normalization');
  t.true(Math.abs(z[0] - (1 - 0.485) / 0.229) < 1e-5);
  t.true(Math.abs(z[1] - (0 - 0.456) / 0.224) < 1e-5);
});

test('denormalize inverts normalize for every mode', (t) => {
  const rgb = new Uint8Array(300).map((_, i) => (i * 37) % 256);
  for (const mode of PREPROCESSINGS) t.deepEqual(denormalizePixels(normalizePixels(rgb, mode), mode), rgb, mode);
});

test('an unknown preprocessing names the flag and the choices', (t) => {
  const err = t.throws(() => parsePreprocessing('imagenet'));
  t.regex(err!.message, /--preprocessing: unknown preprocessing "imagenet".*vggface2/);
});
