/**
 * Each agekit WASM training kernel, fast and naive, against the tfjs CPU backend's kernel on the
 * same seeded inputs: strides 1 and 2, paddings same/valid/explicit, filters 1, 3, 5, 7, odd and
 * even sizes, channel multipliers, batch sizes. Tolerance: 1e-4 relative to the largest value.
 */
import test from 'ava';
import { Conv2DBackpropFilter, Conv2DBackpropInput, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig } from '../../../../host/kernels/wasm/Conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from '../../../../host/kernels/wasm/Conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig } from '../../../../host/kernels/wasm/DepthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig } from '../../../../host/kernels/wasm/DepthwiseConv2dNativeBackpropInput.ts';
import { backends, cpuKernel, relativeError, runOn, seededValues } from './kernel-cases.ts';
import * as tf from '@tensorflow/tfjs';

const TOLERANCE = 1e-4;

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
type Pad = 'same' | 'valid' | ExplicitPadding;
interface Case { x: [number, number, number, number]; k: number; s: number; pad: Pad; out?: number; m?: number; d?: number }

const DENSE: Case[] = [
  { x: [2, 9, 9, 8], k: 3, s: 1, pad: 'same', out: 6 },
  { x: [2, 9, 9, 8], k: 3, s: 2, pad: 'same', out: 6 },
  { x: [1, 8, 8, 3], k: 7, s: 2, pad: 'same', out: 8 },
  { x: [2, 10, 10, 4], k: 5, s: 2, pad: 'valid', out: 5 },
  { x: [1, 11, 11, 4], k: 5, s: 1, pad: 'valid', out: 4 },
  { x: [2, 8, 8, 16], k: 1, s: 1, pad: 'same', out: 24 },
  { x: [3, 8, 8, 24], k: 1, s: 1, pad: 'valid', out: 8 },
  { x: [2, 9, 9, 16], k: 1, s: 2, pad: 'valid', out: 12 },
  { x: [3, 7, 6, 5], k: 3, s: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]], out: 4 },
  { x: [1, 12, 12, 3], k: 3, s: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]], out: 8 },
  // The SIMD outer-product filter gradient: several row chunks; im2col'd 3x3; strided 1x1.
  { x: [2, 10, 10, 96], k: 1, s: 1, pad: 'same', out: 160 },
  { x: [2, 7, 9, 4], k: 3, s: 2, pad: 'same', out: 16 },
  { x: [2, 9, 9, 16], k: 1, s: 2, pad: 'same', out: 8 },
];

const DEPTHWISE: Case[] = [
  { x: [2, 9, 9, 8], k: 3, s: 1, pad: 'same' },
  { x: [2, 9, 9, 8], k: 3, s: 2, pad: 'same' },
  { x: [2, 10, 10, 8], k: 3, s: 2, pad: 'valid' },
  { x: [2, 8, 8, 12], k: 5, s: 2, pad: 'same' },
  { x: [1, 12, 12, 4], k: 7, s: 1, pad: 'same' },
  { x: [3, 6, 6, 16], k: 1, s: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: 3, s: 1, pad: 'same', m: 2 },
  { x: [1, 8, 8, 4], k: 3, s: 2, pad: 'same', m: 3 },
  { x: [2, 6, 6, 5], k: 3, s: 2, pad: 'same' },
  { x: [2, 9, 8, 8], k: 3, s: 1, pad: [[0, 0], [1, 1], [0, 2], [0, 0]] },
  { x: [2, 12, 12, 8], k: 3, s: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]] },
];

function padTitle(p: Pad): string {
  return typeof p === 'string' ? p : `explicit[${p[1]}][${p[2]}]`;
}

function outShape(c: Case, outChannels: number): number[] {
  const conv = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], outChannels], c.s, c.d ?? 1, c.pad, undefined, false);
  return conv.outShape;
}

const { wasm, cpu } = await backends();

function check(t: import('ava').ExecutionContext, config: KernelConfig, inputs: Record<string, [Float32Array, number[]]>, attrs: tf.NamedAttrMap) {
  const got = runOn(wasm, config.kernelFunc, inputs, attrs);
  const want = runOn(cpu, cpuKernel(config.kernelName), inputs, attrs);
  t.deepEqual(got.shape, want.shape);
  const err = relativeError(got.values, want.values);
  t.true(err <= TOLERANCE, `relative error ${err.toExponential(2)} > ${TOLERANCE}`);
}

const denseVariants: [string, KernelConfig | undefined, KernelConfig | undefined][] = [
  ['fast', conv2DBackpropFilterConfig, conv2DBackpropInputConfig],
  ['naive', conv2DBackpropFilterNaiveConfig, undefined],
];

for (const c of DENSE) {
  const co = c.out as number;
  const filterShape = [c.k, c.k, c.x[3], co] as [number, number, number, number];
  const dyShape = outShape(c, co);
  const title = `x=[${c.x}] f=${c.k}x${c.k} co=${co} s=${c.s} p=${padTitle(c.pad)}`;
  const x = seededValues(c.x.reduce((a, b) => a * b), 1);
  const dy = seededValues(dyShape.reduce((a, b) => a * b), 2);
  const w = seededValues(filterShape.reduce((a, b) => a * b), 3);
  for (const [variant, filterConfig, inputConfig] of denseVariants) {
    test(`Conv2DBackpropFilter ${variant} matches cpu: ${title}`, (t) => {
      check(t, filterConfig as KernelConfig, { x: [x, c.x], dy: [dy, dyShape] }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape });
    });
    if (inputConfig) {
      test(`Conv2DBackpropInput ${variant} matches cpu: ${title}`, (t) => {
        check(t, inputConfig, { dy: [dy, dyShape], filter: [w, filterShape] }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });
      });
    }
  }
}

const depthwiseVariants: [string, KernelConfig, KernelConfig][] = [
  ['fast', depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig],
  ['naive', depthwiseConv2dNativeBackpropFilterNaiveConfig, depthwiseConv2dNativeBackpropInputNaiveConfig],
];

for (const c of DEPTHWISE) {
  const m = c.m ?? 1;
  const d = c.d ?? 1;
  const filterShape = [c.k, c.k, c.x[3], m] as [number, number, number, number];
  const conv = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, d, c.pad, undefined, true);
  const dyShape = conv.outShape;
  const title = `x=[${c.x}] f=${c.k}x${c.k} m=${m} s=${c.s} d=${d} p=${padTitle(c.pad)}`;
  const x = seededValues(c.x.reduce((a, b) => a * b), 4);
  const dy = seededValues(dyShape.reduce((a, b) => a * b), 5);
  const w = seededValues(filterShape.reduce((a, b) => a * b), 6);
  for (const [variant, filterConfig, inputConfig] of depthwiseVariants) {
    test(`DepthwiseConv2dNativeBackpropFilter ${variant} matches cpu: ${title}`, (t) => {
      check(t, filterConfig, { x: [x, c.x], dy: [dy, dyShape] }, { strides: c.s, dilations: d, pad: c.pad, filterShape });
    });
    test(`DepthwiseConv2dNativeBackpropInput ${variant} matches cpu: ${title}`, (t) => {
      check(t, inputConfig, { dy: [dy, dyShape], filter: [w, filterShape] }, { strides: c.s, dilations: d, pad: c.pad, inputShape: c.x });
    });
  }
}

// tfjs computes no depthwise gradient with dilation > 1 (its CPU kernels ignore dilation), so
// there the fast SIMD loop is checked against the naive composition instead.
for (const [variant, config, naive, inputs] of [
  ['filter', depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig, 'x'],
  ['input', depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig, 'filter'],
] as const) {
  test(`Depthwise ${variant} gradient fast matches naive with dilation 2: x=[2,11,10,8] f=3x3 s=1 d=2 p=same`, (t) => {
    const xShape = [2, 11, 10, 8];
    const filterShape = [3, 3, 8, 1] as [number, number, number, number];
    const attrs = { strides: 1, dilations: 2, pad: 'same', filterShape, inputShape: xShape };
    const other: [Float32Array, number[]] = inputs === 'x' ? [seededValues(1760, 7), xShape] : [seededValues(72, 8), filterShape];
    const feed = { [inputs]: other, dy: [seededValues(1760, 9), xShape] as [Float32Array, number[]] };
    const fast = runOn(wasm, config.kernelFunc, feed, attrs);
    const slow = runOn(wasm, naive.kernelFunc, feed, attrs);
    t.true(relativeError(fast.values, slow.values) <= TOLERANCE);
  });
}

test('the kernels and their names: every config targets the wasm backend under its tfjs kernel name', (t) => {
  const names = [conv2DBackpropFilterConfig, conv2DBackpropInputConfig, depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig]
    .map((k) => `${k.backendName}:${k.kernelName}`);
  t.deepEqual(names, [Conv2DBackpropFilter, Conv2DBackpropInput, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput].map((n) => `wasm:${n}`));
});
