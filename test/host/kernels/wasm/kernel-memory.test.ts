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
import { backendMemory, type BackendWasm } from '../../../../host/kernels/wasm/wasm-backend-calls.ts';
import { buildNet } from '../../../../host/nets/index.ts';
import { createTrainStep } from '../../../../host/train/train-step.ts';
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
];

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

test.serial('training mobilenet64 (32x32) on wasm with the agekit kernels: tensors, backend data and heap flat over 40 steps', (t) => {
  registerWasmTrainingKernels({ replaceExisting: true });
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
