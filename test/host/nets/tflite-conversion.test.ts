// The edge students (and MobileNetV3, for the hard-swish/hard-sigmoid layers and SE blocks)
// convert with agekit's LayersModel -> TFLite converter and run in the native TFLite runtime
// (tfjs-tflite-node) with the tfjs result. Batch-norm statistics are fitted to the input so the
// outputs depend on it, and the check requires the conversion error to be far below the change
// between two inputs. The server nets are left out: fitting their 50-120 BN layers one by one
// costs minutes on the cpu backend.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { buildNet } from '../../../host/nets/index.ts';
import type { HeadType } from '../../../core/contract/model-metadata.ts';
import { fromLayersModel } from '../../../converters/ir/from-layers-model.ts';
import { optimizeGraph } from '../../../converters/convert-model.ts';
import { writeTflite } from '../../../converters/write-tflite.ts';
import { TfliteRunner } from '../../../core/runtime/tflite-runner.ts';

test.before(async () => {
  await tf.setBackend('cpu');
});

/**
 * Data-dependent batch-norm statistics: each BN layer's moving mean and variance become the
 * moments of its input on `x` (layer by layer, in order), so every layer keeps the signal at unit
 * scale and the outputs depend on the input, as in a trained net (a fresh one forgets its input).
 */
function fitBatchNorm(model: tf.LayersModel, x: tf.Tensor): void {
  // The variance floor keeps near-constant channels (tiny late feature maps) from amplifying float error.
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const probe = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    tf.tidy(() => {
      const { mean, variance } = tf.moments(probe.predict(x) as tf.Tensor, [0, 1, 2]);
      const [gamma, beta] = layer.getWeights();
      layer.setWeights([gamma, beta, mean, tf.add(variance, 0.1)]);
    });
  }
}

const cases: Array<[string, HeadType, [number, number] | undefined]> = [
  ['edgenet', 'dex', undefined], ['edgenet', 'regression', undefined], ['mobilenet64', 'dex', undefined], ['mobilenetv3small112', 'dex', [64, 64]],
];

for (const [name, head, inputSize] of cases) {
  test.serial(`${name} (${head}${inputSize ? `, ${inputSize[0]} px` : ''}) converts to TFLite and gives the tfjs outputs`, async (t) => {
    const model = buildNet(name, { head, inputSize, seed: 1 });
    if (head === 'regression') {
      const dense = model.getLayer('age_dense');
      dense.setWeights([tf.mul(dense.getWeights()[0], 100), tf.tensor1d([50])]);
    }
    const [h, w] = model.inputs[0].shape.slice(1, 3) as number[];
    fitBatchNorm(model, tf.randomNormal([4, h, w, 3], 0, 1, 'float32', 1));
    const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', 2);
    const expected = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const runner = await TfliteRunner.create({ modelBytes: writeTflite(optimizeGraph(fromLayersModel(model))), threads: 1 });
    try {
      const [actual] = await runner.run([x.dataSync() as Float32Array], 2);
      t.is(actual.length, expected.length);
      const scale = Math.max(...Array.from(expected, Math.abs));
      const maxDiff = actual.reduce((d, v, i) => Math.max(d, Math.abs(v - expected[i])), 0);
      const half = expected.length / 2;
      const inputEffect = Array.from(expected.slice(0, half)).reduce((d: number, v, i) => Math.max(d, Math.abs(v - expected[half + i])), 0);
      t.log(`max |tflite - tfjs| = ${maxDiff.toExponential(2)}; max change between the two inputs ${inputEffect.toExponential(2)}; outputs up to ${scale.toPrecision(3)}`);
      t.true(maxDiff <= 1e-3 * scale, `max |tflite - tfjs| = ${maxDiff} (outputs up to ${scale})`);
      t.true(maxDiff * 100 < inputEffect, `the conversion error ${maxDiff} is not far below the effect of the input ${inputEffect}`);
    } finally {
      await runner.close();
      model.dispose();
    }
  });
}
