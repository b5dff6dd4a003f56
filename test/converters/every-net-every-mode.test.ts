import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { countParams, listNets } from '../../host/nets/index.ts';
import { fromLayersModel } from '../../converters/ir/from-layers-model.ts';
import { optimizeGraph } from '../../converters/convert-model.ts';
import { quantizeDynamic, quantizeFloat16 } from '../../converters/quantize/quantize-weights.ts';
import { collectRanges } from '../../converters/quantize/collect-ranges.ts';
import { quantizeInt8 } from '../../converters/quantize/quantize-int8.ts';
import { writeTflite } from '../../converters/write-tflite.ts';
import { readTflite } from '../../core/tflite/read-tflite.ts';
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import { compareOutputs, perturbWeights, testInput } from './conversion-fixtures.ts';

// Small inputs keep the big nets (VGG16, ResNet-50, SE-ResNet-50, DenseNet) to seconds; the
// layer graph is the same at any size.
const SMALL: [number, number] = [32, 32];
const INTEGER_TYPES = new Set(['int8', 'int32']);

test.before(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
});

for (const spec of listNets()) {
  test.serial(`${spec.name}: none, float16, dynamic and int8 files load and run in tfjs-tflite-node; float32 matches tfjs`, async (t) => {
    const head = spec.name.startsWith('mobilenet') ? 'dex' : 'regression';
    const model = spec.build({ head, seed: 1, inputSize: SMALL });
    // Perturbing 100M-parameter nets costs more than it shows; their random init is not zero either.
    if (countParams(model) < 20e6) perturbWeights(model);
    const g = optimizeGraph(fromLayersModel(model));
    const x = testInput(...SMALL);
    const ref = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, ...SMALL, 3])) as tf.Tensor).dataSync());
    const samples = [x, testInput(...SMALL, 8), testInput(...SMALL, 9)];
    const set = { source: 'random inputs', inputSize: SMALL, preprocessing: 'tf' as const, async *samples() { yield* samples; } };
    const { ranges } = await collectRanges(g, set, { method: 'minmax' });
    const files = {
      none: writeTflite(g), float16: writeTflite(quantizeFloat16(g)), dynamic: writeTflite(quantizeDynamic(g)),
      int8: writeTflite(quantizeInt8(g, ranges, { io: 'int8' })),
    };
    const sizes: string[] = [];
    for (const [mode, bytes] of Object.entries(files)) {
      const runner = await TfliteRunner.create({ modelBytes: bytes, threads: 1 });
      const [out] = await runner.run([x], 1);
      t.is(out.length, ref.length, mode);
      t.true(out.every(Number.isFinite), mode);
      if (mode === 'none') t.true(compareOutputs(ref, out).rel <= 1e-4, `float32 relative difference ${compareOutputs(ref, out).rel}`);
      await runner.close();
      sizes.push(`${mode} ${(bytes.length / 1e6).toFixed(2)} MB`);
    }
    // Full integer: every tensor int8 (activations, weights) or int32 (biases, shapes), no float op.
    const info = readTflite(files.int8, `${spec.name}-int8.tflite`);
    const nonInteger = info.tensors.filter((x) => !INTEGER_TYPES.has(x.type));
    t.deepEqual(nonInteger.map((x) => `${x.name}:${x.type}`), []);
    t.false(info.operators.some((o) => o.builtin === 'DEQUANTIZE' || o.builtin === 'QUANTIZE'));
    t.log(`${spec.name} at ${SMALL.join('x')}: ${g.ops.length} ops; ${sizes.join(', ')}`);
    model.dispose();
  });
}
