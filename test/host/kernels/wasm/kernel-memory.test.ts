/**
 * The agekit WASM kernels own their memory: over many calls and many training steps the number
 * of tensors, the backend's live data and the size of the WASM heap stay flat.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig } from '../../../../host/kernels/wasm/Conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from '../../../../host/kernels/wasm/Conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig } from '../../../../host/kernels/wasm/DepthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig } from '../../../../host/kernels/wasm/DepthwiseConv2dNativeBackpropInput.ts';
import { registerWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';
import { createFusedBatchNormConfig } from '../../../../host/kernels/wasm/FusedBatchNorm.ts';
import { rangeMaskGradConfig } from '../../../../host/kernels/wasm/range-mask-gradient.ts';
import { scaledProductConfig } from '../../../../host/kernels/wasm/square-gradient.ts';
import { batchNormGradConfig } from '../../../../host/kernels/wasm/batch-norm-grad.ts';
import { backendMemory, type BackendWasm } from '../../../../host/kernels/wasm/wasm-backend-calls.ts';
import { buildNet } from '../../../../host/nets/index.ts';
import { createTrainStep } from '../../../../host/train/train-step.ts';
import { registerBatchNormGradient, unregisterBatchNormGradient } from '../../../../host/train/batch-norm-gradient.ts';
import { createOptimizer } from '../../../../host/train/optimizer.ts';
import { groundTruthTargets } from '../../../../host/train/targets.ts';
import { backends, runOn, seededValues } from './kernel-cases.ts';

const { wasm } = await backends();
const heapBytes = () => backendMemory(wasm as unknown as BackendWasm).buffer.byteLength;

const x: [Float32Array, number[]] = [seededValues(2 * 9 * 9 * 8, 1), [2, 9, 9, 8]];
const dy: [Float32Array, number[]] = [seededValues(2 * 5 * 5 * 8, 2), [2, 5, 5, 8]];
const dense: NamedAttrMap = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 8, 8], inputShape: [2, 9, 9, 8] };
const depthwise: NamedAttrMap = { strides: 2, dilations: 1, pad: 'same', filterShape: [3, 3, 8, 1], inputShape: [2, 9, 9, 8] };
const CALLS: [string, KernelConfig, Record<string, [Float32Array, number[]]>, NamedAttrMap][] = [
  ['Conv2DBackpropFilter fast', conv2DBackpropFilterConfig, { x, dy }, dense],
  ['Conv2DBackpropFilter naive', conv2DBackpropFilterNaiveConfig, { x, dy }, dense],
  ['Conv2DBackpropInput fast', conv2DBackpropInputConfig, { dy, filter: [seededValues(576, 3), [3, 3, 8, 8]] }, dense],
  ['DepthwiseConv2dNativeBackpropFilter fast', depthwiseConv2dNativeBackpropFilterConfig, { x, dy }, depthwise],
  ['DepthwiseConv2dNativeBackpropFilter naive', depthwiseConv2dNativeBackpropFilterNaiveConfig, { x, dy }, depthwise],
  ['DepthwiseConv2dNativeBackpropInput fast', depthwiseConv2dNativeBackpropInputConfig, { dy, filter: [seededValues(72, 4), [3, 3, 8, 1]] }, depthwise],
  ['DepthwiseConv2dNativeBackpropInput naive', depthwiseConv2dNativeBackpropInputNaiveConfig, { dy, filter: [seededValues(72, 4), [3, 3, 8, 1]] }, depthwise],
  ['FusedBatchNorm (per channel)', createFusedBatchNormConfig(tf.getKernel('FusedBatchNorm', 'wasm') as KernelConfig),
    { x, mean: [seededValues(8, 5), [8]], variance: [seededValues(8, 6).map((v) => v + 2), [8]], scale: [seededValues(8, 7), [8]] }, { varianceEpsilon: 1e-3 }],
  ['AgekitScaledProduct', scaledProductConfig, { a: dy, b: [seededValues(2 * 5 * 5 * 8, 9), [2, 5, 5, 8]] }, { k: 2 }],
  ['AgekitRangeMaskGrad', rangeMaskGradConfig, { x: dy, dy: [seededValues(2 * 5 * 5 * 8, 8), [2, 5, 5, 8]] }, { lo: 0, hi: 6, lowerInclusive: false }],
];

test.serial('AgekitBatchNormGrad: 1000 calls leave no backend data behind and do not grow the heap', (t) => {
  const inputs = { dy: dy[0], x: seededValues(dy[0].length, 9), mean: seededValues(8, 10), variance: seededValues(8, 11).map((v) => v + 2), scale: seededValues(8, 12) };
  const call = () => {
    const infos = Object.fromEntries(Object.entries(inputs).map(([k, v]) => {
      const shape = k === 'dy' || k === 'x' ? dy[1] : [8];
      return [k, { dataId: wasm.write(v.slice(), shape, 'float32'), shape, dtype: 'float32' as const }];
    }));
    const outs = batchNormGradConfig.kernelFunc({ inputs: infos, attrs: { varianceEpsilon: 1e-3 }, backend: wasm }) as { dataId: object }[];
    for (const o of [...outs, ...Object.values(infos)]) wasm.disposeData(o.dataId);
  };
  for (let i = 0; i < 20; i++) call();
  const ids = wasm.numDataIds();
  const heap = heapBytes();
  for (let i = 0; i < 1000; i++) call();
  t.is(wasm.numDataIds(), ids);
  t.is(heapBytes(), heap);
});

for (const [name, config, inputs, attrs] of CALLS) {
  test.serial(`${name}: 1000 calls leave no backend data behind and do not grow the heap`, (t) => {
    for (let i = 0; i < 20; i++) runOn(wasm, config.kernelFunc, inputs, attrs);
    const ids = wasm.numDataIds();
    const heap = heapBytes();
    for (let i = 0; i < 1000; i++) runOn(wasm, config.kernelFunc, inputs, attrs);
    t.is(wasm.numDataIds(), ids);
    t.is(heapBytes(), heap);
  });
}

test.serial('training mobilenet64 (32x32) on wasm with the agekit kernels and batch-norm gradient (as agekit train): tensors, backend data and heap flat over 40 steps', (t) => {
  registerWasmTrainingKernels({ replaceExisting: true });
  registerBatchNormGradient();
  t.teardown(unregisterBatchNormGradient);
  const model = buildNet('mobilenet64', { head: 'dex', seed: 5, inputSize: [32, 32] });
  const step = createTrainStep({ model, optimizer: createOptimizer({ optimizer: 'adam', learningRate: 1e-3 }), targets: groundTruthTargets('dex') });
  const batch = { n: 4, x: seededValues(4 * 32 * 32 * 3, 9).map((v) => v * 100), ages: Float32Array.from([20, 35, 50, 70]), samples: [] };
  for (let i = 0; i < 5; i++) step(batch);
  const before = { tensors: tf.memory().numTensors, ids: wasm.numDataIds(), heap: heapBytes() };
  let loss = 0;
  for (let i = 0; i < 40; i++) loss = step(batch).loss;
  const after = { tensors: tf.memory().numTensors, ids: wasm.numDataIds(), heap: heapBytes() };
  t.true(Number.isFinite(loss));
  t.deepEqual(after, before);
  model.dispose();
});
