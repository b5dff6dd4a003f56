/**
 * The batch-moments provenance records (moments-provenance.ts) stay bounded over a training:
 * tfjs-layers writes each batch-norm moving mean and variance as Sub(previous, delta) every
 * step, and recording that Sub would chain every step's data to the previous step's, forever.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';
import { registerBatchNormGradient, unregisterBatchNormGradient } from '../../../../host/train/batch-norm-gradient.ts';
import { producerChainDepth } from '../../../../host/kernels/wasm/moments-provenance.ts';
import { seededValues } from './kernel-cases.ts';

/** Depth of the provenance chains behind every batch-norm moving statistic after `steps` steps. */
function depthsAfter(steps: number): number[] {
  const input = tf.input({ shape: [6, 6, 3] });
  const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  const bnLayer = tf.layers.batchNormalization();
  const act = tf.layers.reLU({ maxValue: 6 }).apply(bnLayer.apply(conv)) as tf.SymbolicTensor;
  const bn2 = tf.layers.batchNormalization();
  const out = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(tf.layers.flatten().apply(bn2.apply(act))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const optimizer = tf.train.sgd(0.01);
  const x = tf.tensor4d(seededValues(4 * 6 * 6 * 3, 3), [4, 6, 6, 3]);
  const y = tf.tensor2d(seededValues(4, 4), [4, 1]);
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
  }
  const stats = [bnLayer, bn2].flatMap((l) => l.getWeights().slice(-2)); // moving mean, moving variance
  const depths = stats.map((v) => producerChainDepth(v));
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return depths;
}

test.serial('batch-norm moving statistics do not chain provenance records across training steps', async (t) => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels({ replaceExisting: true });
  registerBatchNormGradient();
  try {
    // The batch-norm gradient kernel still recognises the batch moments (the records it needs exist).
    const profile = await tf.profile(() => { depthsAfter(1); });
    t.true(profile.kernelNames.includes('AgekitBatchNormGrad'), `ran ${profile.kernelNames.join(', ')}`);
    t.true(profile.kernelNames.includes('AgekitZeros'), 'the moments were recognised: their backward got zeros');
    const few = depthsAfter(3);
    const many = depthsAfter(30);
    t.is(few.length, 4);
    t.deepEqual(many, few, `chain depths after 3 steps ${few}, after 30 steps ${many}`);
    for (const d of many) t.true(d <= 1, `chain depth ${d}`);
  } finally {
    unregisterBatchNormGradient();
    unregisterWasmTrainingKernels();
  }
});
