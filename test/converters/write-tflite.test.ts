import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { fromLayersModel } from '../../converters/ir/from-layers-model.ts';
import { optimizeGraph } from '../../converters/convert-model.ts';
import { checkMappable, writeTflite } from '../../converters/write-tflite.ts';
import { readTflite } from '../../core/tflite/read-tflite.ts';
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import { ConversionError } from '../../core/errors.ts';
import { METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { readTfliteMetadata } from '../../core/tflite/tflite-metadata.ts';
import { compareOutputs, mixedLayersModel, perturbWeights, testInput } from './conversion-fixtures.ts';

const meta: ModelMetadata = {
  format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mixed', inputSize: [32, 32], preprocessing: 'tf', head: 'dex',
  readout: { kind: 'expected', outputIndex: 0, bins: 5, firstAge: 0 }, crop: { margin: 0.1, square: true }, quantization: { mode: 'none' },
};

test.before(async () => { await tf.setBackend('cpu'); });

test('a model with every mapped layer class converts and float32 matches tfjs in the TFLite runtime', async (t) => {
  const model = mixedLayersModel();
  perturbWeights(model);
  const g = optimizeGraph(fromLayersModel(model));
  // Batch norms are folded and ReLU/ReLU6 fused: no standalone batchNorm/relu ops remain.
  t.false(g.ops.some((op) => op.kind === 'batchNorm' || op.kind === 'relu' || op.kind === 'relu6' || op.kind === 'identity'));
  t.true(g.ops.some((op) => op.kind === 'conv2d' && op.activation === 'relu6'));
  const bytes = writeTflite(g, { metadata: meta });
  const runner = await TfliteRunner.create({ modelBytes: bytes, threads: 1 });
  const x = testInput(32, 32);
  const ref = (model.predict(tf.tensor4d(x, [1, 32, 32, 3])) as tf.Tensor).dataSync();
  const [got] = await runner.run([x], 1);
  const d = compareOutputs(ref, got);
  t.true(d.rel <= 1e-4, `relative difference ${d.rel}`);
  t.deepEqual(runner.meta, { ...meta, weightsSha256: runner.meta?.weightsSha256 });
  t.regex(runner.meta?.weightsSha256 ?? '', /^[0-9a-f]{64}$/);
  await runner.close();
});

test('output is byte-for-byte deterministic and inspect reads back ops, options and metadata', (t) => {
  const model = mixedLayersModel();
  perturbWeights(model, 11);
  const a = writeTflite(optimizeGraph(fromLayersModel(model)), { metadata: meta });
  const b = writeTflite(optimizeGraph(fromLayersModel(model)), { metadata: meta });
  t.deepEqual(Buffer.from(a), Buffer.from(b));
  const info = readTflite(a, 'mixed.tflite');
  const builtins = new Set(info.operators.map((o) => o.builtin));
  for (const op of ['CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'PAD', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'CONCATENATION', 'MUL', 'MEAN', 'FULLY_CONNECTED', 'RESHAPE', 'SOFTMAX']) t.true(builtins.has(op), op);
  const stem = info.operators.find((o) => o.builtin === 'CONV_2D')!;
  t.is(stem.options.values.stride_w, 2);
  t.is(stem.options.values.fused_activation_function, 3); // RELU6
  t.deepEqual(info.tensors[info.inputs[0]].shape, [1, 32, 32, 3]);
  t.deepEqual(info.agekit, { ...meta, weightsSha256: info.agekit?.weightsSha256 });
  t.is(info.weightsCheck, 'verified');
  t.deepEqual(readTfliteMetadata(a, 'x'), info.agekit);
  t.true(info.weightBytes > 0 && info.weightBytes < info.fileBytes);
});

test('unmapped layers fail once, listing every one with its layer name', (t) => {
  const inp = tf.input({ shape: [8, 8, 3] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'ok_conv', activation: 'elu' }).apply(inp) as tf.SymbolicTensor;
  const b = tf.layers.upSampling2d({ size: [2, 2], name: 'upsample' }).apply(a) as tf.SymbolicTensor;
  const c = tf.layers.leakyReLU({ name: 'leaky' }).apply(b) as tf.SymbolicTensor;
  const g = fromLayersModel(tf.model({ inputs: inp, outputs: c }));
  const err = t.throws(() => checkMappable(g, 'bad-model'), { instanceOf: ConversionError });
  t.regex(err!.message, /3 ops have no TFLite mapping/);
  t.regex(err!.message, /ok_conv \(Conv2D: activation "elu"/);
  t.regex(err!.message, /upsample \(UpSampling2D/);
  t.regex(err!.message, /leaky \(LeakyReLU/);
  t.throws(() => writeTflite(g), { instanceOf: ConversionError });
});
