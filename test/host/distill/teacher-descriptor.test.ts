// Teacher descriptor validation: every bad field is an error naming the file and the field; normalization formulas.
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFormatError } from '../../../core/errors.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import { normalizeTeacherPixels, parseTeacherDescriptor } from '../../../host/distill/teacher-descriptor.ts';
import { builtinDescriptor, createTeacher, readTeacherDescriptor, resolveTeacherDescriptor } from '../../../host/distill/teacher-registry.ts';

const valid = {
  name: 'mine', kind: 'graph', model: 'model.json', inputSize: [96, 96],
  normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  output: 'age/Softmax', readout: { kind: 'expected', bins: 101, firstAge: 0 },
};

test('a valid descriptor resolves the model path against its folder and fills defaults', (t) => {
  const d = parseTeacherDescriptor(valid, 'mine.json', '/models/mine');
  t.is(d.model, '/models/mine/model.json');
  t.deepEqual(d.crop, { margin: 0, square: true });
  t.is(d.channels, 'rgb');
  t.deepEqual(d.readout, { kind: 'expected', bins: 101, firstAge: 0, softmax: false });
});

const bad: [string, Record<string, unknown>, RegExp][] = [
  ['missing name', { name: undefined }, /"name" is invalid \(missing\)/],
  ['unknown kind', { kind: 'onnx' }, /"kind" is invalid \("onnx"\).*graph, layers, tflite/],
  ['missing model', { model: '' }, /"model" is invalid/],
  ['inputSize not two positive integers', { inputSize: [96] }, /"inputSize" is invalid \(\[96\]\)/],
  ['unknown named normalization', { normalization: 'imagenet' }, /"normalization" is invalid \("imagenet"\)/],
  ['std with a zero', { normalization: { mean: [0, 0, 0], std: [1, 0, 1] } }, /"normalization.std" is invalid \(\[1,0,1\]\)/],
  ['channels contradicting a named mode', { normalization: 'vggface2', channels: 'rgb' }, /"channels" is invalid.*implies bgr/],
  ['named output on a tflite model', { kind: 'tflite', model: 'm.tflite' }, /"output" is invalid \("age\/Softmax"\).*use an index/],
  ['expected read-out without bins', { readout: { kind: 'expected', firstAge: 0 } }, /"readout.bins" is invalid \(missing\)/],
  ['unknown read-out', { readout: { kind: 'argmax' } }, /"readout" is invalid/],
  ['crop margin out of range', { crop: { margin: -0.6 } }, /"crop.margin" is invalid \(-0.6\)/],
];
for (const [title, patch, message] of bad) {
  test(`descriptor error: ${title}`, (t) => {
    const err = t.throws(() => parseTeacherDescriptor({ ...valid, ...patch }, 'teachers/mine.json', '/x'), { instanceOf: ModelFormatError });
    t.regex(err!.message, /^teachers\/mine\.json: teacher field/);
    t.regex(err!.message, message);
  });
}

test('a descriptor file that is not JSON is an error naming the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-teacher-'));
  const file = join(dir, 'broken.json');
  await writeFile(file, '{ "name": "x", ');
  const err = await t.throwsAsync(readTeacherDescriptor(file), { instanceOf: ModelFormatError });
  t.true(err!.message.startsWith(file));
  t.regex(err!.message, /not valid JSON/);
});

test('a descriptor whose model file is missing fails at load, naming the model path', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-teacher-'));
  const file = join(dir, 'mine.json');
  await writeFile(file, JSON.stringify(valid));
  const desc = await resolveTeacherDescriptor(file);
  const err = await t.throwsAsync(createTeacher(desc), { instanceOf: ModelFormatError });
  t.true(err!.message.startsWith(join(dir, 'model.json')));
});

test('an unknown teacher name lists the built-in ones', async (t) => {
  const err = await t.throwsAsync(resolveTeacherDescriptor('hse'));
  t.regex(err!.message, /unknown teacher "hse".*faceres, faceapi/);
});

test('mean/std normalization is (pixel - mean) / std in the model channel order', (t) => {
  const rgb = Uint8Array.of(10, 20, 30, 255, 0, 128);
  const x = normalizeTeacherPixels(rgb, { normalization: { mean: [1, 2, 3], std: [2, 4, 8] }, channels: 'bgr' });
  const expect = [(30 - 1) / 2, (20 - 2) / 4, (10 - 3) / 8, (128 - 1) / 2, (0 - 2) / 4, (255 - 3) / 8];
  expect.forEach((v, i) => t.true(Math.abs(x[i] - v) < 1e-6, `value ${i}: ${x[i]} vs ${v}`));
});

test('a named normalization is exactly the device contract normalization', (t) => {
  const rgb = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
  t.deepEqual(normalizeTeacherPixels(rgb, { normalization: 'vggface2', channels: 'bgr' }), normalizePixels(rgb, 'vggface2'));
});

test('built-in teachers point at the model files their npm packages ship', (t) => {
  const faceres = builtinDescriptor('faceres');
  t.regex(faceres.model, /@vladmandic[\\/]human[\\/]models[\\/]faceres\.json$/);
  t.deepEqual(faceres.inputSize, [224, 224]);
  t.is(faceres.normalization, 'no');
  const faceapi = builtinDescriptor('faceapi');
  t.regex(faceapi.model, /age_gender_model-weights_manifest\.json$/);
});
