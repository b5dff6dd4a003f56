import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TfliteRunner } from '../../../core/runtime/tflite-runner.ts';
import { ModelFormatError, UsageError } from '../../../core/errors.ts';
import { fromLayersModel } from '../../../converters/ir/from-layers-model.ts';
import { optimizeGraph } from '../../../converters/convert-model.ts';
import { collectRanges } from '../../../converters/quantize/collect-ranges.ts';
import { quantizeInt8, type IoType } from '../../../converters/quantize/quantize-int8.ts';
import { writeTflite } from '../../../converters/write-tflite.ts';
import { compareOutputs, mixedLayersModel, perturbWeights, recalibrateBatchNorms, testInput } from '../../converters/conversion-fixtures.ts';
import { projectRoot } from '../../support/shared-data.ts';

let model: tf.LayersModel;
let floatBytes: Uint8Array;
let dir: string;

test.before(async () => {
  await tf.setBackend('cpu');
  model = mixedLayersModel(16);
  perturbWeights(model);
  recalibrateBatchNorms(model, tf.randomUniform([8, 16, 16, 3], -1, 1, 'float32', 9) as tf.Tensor4D);
  floatBytes = writeTflite(optimizeGraph(fromLayersModel(model)));
  dir = await mkdtemp(join(tmpdir(), 'agekit-tflite-runner-'));
});

test('runs a batch item by item and reports shapes, types and threads', async (t) => {
  const runner = await TfliteRunner.create({ modelBytes: floatBytes, threads: 2 });
  t.is(runner.runtime, 'tflite');
  t.is(runner.threads, 2);
  t.deepEqual(runner.inputs[0].shape, [1, 16, 16, 3]);
  t.is(runner.inputs[0].dtype, 'float32');
  const a = testInput(16, 16, 1), b = testInput(16, 16, 2);
  const both = new Float32Array(a.length * 2);
  both.set(a); both.set(b, a.length);
  const [out] = await runner.run([both], 2);
  const ref = (model.predict(tf.tensor4d(both, [2, 16, 16, 3])) as tf.Tensor).dataSync();
  t.is(out.length, ref.length);
  t.true(compareOutputs(ref, out).rel <= 1e-4);
  await t.throwsAsync(runner.run([a], 2), { instanceOf: UsageError, message: /needs 1536 values for batch 2/ });
  await runner.close();
  await t.throwsAsync(runner.run([a], 1), { instanceOf: UsageError, message: /closed/ });
});

for (const io of ['int8', 'uint8', 'float'] as IoType[]) {
  test(`int8 file with io ${io}: the runner (de)quantizes and stays close to float`, async (t) => {
    const g = optimizeGraph(fromLayersModel(model));
    const samples = Array.from({ length: 12 }, (_, k) => testInput(16, 16, 40 + k));
    const set = { source: 'random inputs', inputSize: [16, 16] as [number, number], preprocessing: 'tf' as const, async *samples() { yield* samples; } };
    const { ranges } = await collectRanges(g, set, { method: 'minmax' });
    const runner = await TfliteRunner.create({ modelBytes: writeTflite(quantizeInt8(g, ranges, { io })), threads: 1 });
    t.is(runner.inputs[0].dtype, io === 'float' ? 'float32' : io);
    if (io !== 'float') t.truthy(runner.inputs[0].quantization);
    const x = samples[5];
    const [got] = await runner.run([x], 1);
    const ref = (model.predict(tf.tensor4d(x, [1, 16, 16, 3])) as tf.Tensor).dataSync();
    const d = compareOutputs(ref, got);
    t.true(d.rel < 0.05, `relative difference ${d.rel}`);
  });
}

test('a truncated file is a ModelFormatError before the native runtime sees it', async (t) => {
  const path = join(dir, 'truncated.tflite');
  await writeFile(path, floatBytes.subarray(0, Math.floor(floatBytes.length * 0.6)));
  const err = await t.throwsAsync(TfliteRunner.create({ modelPath: path }), { instanceOf: ModelFormatError });
  t.true(err!.message.startsWith(path));
  t.regex(err!.message, /past end of file|holds/);
  // The shipped BlazeFace cut just before its end.
  const blaze = await readFile(join(projectRoot, 'samples/models/blazeface.tflite'));
  await t.throwsAsync(TfliteRunner.create({ modelBytes: new Uint8Array(blaze.subarray(0, blaze.length - 100)), modelPath: 'blazeface-cut.tflite' }), { instanceOf: ModelFormatError });
});

test('corrupt offsets and indices are ModelFormatErrors', async (t) => {
  // Root offset pointing past the end.
  const a = floatBytes.slice();
  new DataView(a.buffer).setUint32(0, a.length + 1000, true);
  await t.throwsAsync(TfliteRunner.create({ modelBytes: a }), { instanceOf: ModelFormatError });
  // Random bytes over the tables region (after the identifier) in several places.
  let failures = 0;
  for (let k = 0; k < 8; k++) {
    const b = floatBytes.slice();
    const at = 8 + ((k * 7919) % 2000);
    for (let i = 0; i < 16; i++) b[at + i] = (i * 37 + k * 11) & 0xff;
    try { const r = await TfliteRunner.create({ modelBytes: b, threads: 1 }); await r.close(); } catch (err) {
      t.true(err instanceof ModelFormatError, `corruption at ${at}: ${(err as Error).message}`);
      failures++;
    }
  }
  t.log(`${failures} of 8 corruptions rejected, the others still formed a valid model`);
});

test('foreign files (JSON, JPEG, empty) are rejected with a clear message', async (t) => {
  const json = new TextEncoder().encode('{"format":"graph-model","modelTopology":{}}');
  const e1 = await t.throwsAsync(TfliteRunner.create({ modelBytes: json, modelPath: 'model.json' }), { instanceOf: ModelFormatError });
  t.regex(e1!.message, /^model\.json: not a TFLite file/);
  const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1]);
  await t.throwsAsync(TfliteRunner.create({ modelBytes: jpeg }), { instanceOf: ModelFormatError, message: /not a TFLite file/ });
  await t.throwsAsync(TfliteRunner.create({ modelBytes: new Uint8Array(0) }), { instanceOf: ModelFormatError, message: /too short/ });
  await t.throwsAsync(TfliteRunner.create({ modelPath: join(dir, 'missing.tflite') }), { instanceOf: ModelFormatError, message: /cannot read/ });
});

test('a missing delegate library is a usage error naming the option', async (t) => {
  await t.throwsAsync(TfliteRunner.create({ modelBytes: floatBytes, delegatePath: join(dir, 'libedgetpu.so.1') }), { instanceOf: UsageError, message: /delegatePath: delegate library not found/ });
});

test('a model both XNNPACK and the builtin kernels reject: the error keeps both reasons', async (t) => {
  // A conv whose filter declares [in, kh, kw, out] instead of [out, kh, kw, in]: a valid file that TFLite cannot prepare.
  const g = optimizeGraph(fromLayersModel(model));
  const conv = g.ops.find((op) => op.kind === 'conv2d')!;
  const w = g.tensors[conv.inputs[1]];
  const [o, kh, kw, i] = w.shape;
  t.not(o, i, 'the swap must change the shape');
  w.shape = [i, kh, kw, o];
  const bad = writeTflite(g);
  const err = await t.throwsAsync(TfliteRunner.create({ modelBytes: bad, threads: 1, xnnpack: true }), { instanceOf: ModelFormatError });
  t.regex(err!.message, /the TFLite runtime rejected the model \(Failed to allocate tensors.*conv.*; with XNNPACK first: .*conv/s);
  t.regex(err!.message, /convert it again/);
});
