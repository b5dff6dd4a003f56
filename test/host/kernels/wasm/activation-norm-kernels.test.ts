/**
 * agekit's batch-norm and clipped-activation kernels and gradients on WASM against the CPU
 * backend: FusedBatchNorm forward, same-dtype Cast, the Square gradient, the range-mask gradients
 * of ReLU, ReLU6 and ClipByValue (boundary values and sizes that are not a multiple of 4 included), the batch-norm
 * gradient kernel, and a conv + batch norm (training mode) + ReLU6 block end to end.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { createFusedBatchNormConfig } from '../../../../host/kernels/wasm/FusedBatchNorm.ts';
import { createCastConfig } from '../../../../host/kernels/wasm/Cast.ts';
import { batchNormGradConfig } from '../../../../host/kernels/wasm/batch-norm-grad.ts';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';
import { registerBatchNormGradient, unregisterBatchNormGradient } from '../../../../host/train/batch-norm-gradient.ts';
import { backends, cpuKernel, relativeError, runOn, seededValues } from './kernel-cases.ts';

const { wasm, cpu } = await backends();
const tfjs = (name: string) => tf.getKernel(name, 'wasm') as KernelConfig;
const batchNorm = createFusedBatchNormConfig(tfjs('FusedBatchNorm'));
const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

const BN_CASES: { x: number[]; stats: number[]; scale: boolean; offset: boolean }[] = [
  { x: [2, 5, 7, 8], stats: [8], scale: true, offset: true },
  { x: [3, 4, 4, 16], stats: [16], scale: false, offset: true },
  { x: [1, 3, 3, 4], stats: [4], scale: true, offset: false },
  { x: [6, 12], stats: [12], scale: true, offset: true },
  { x: [2, 3, 3, 6], stats: [6], scale: true, offset: true }, // 6 channels: tfjs's kernel
  { x: [2, 3, 3, 8], stats: [1, 1, 1, 8], scale: true, offset: true },
];

for (const [i, c] of BN_CASES.entries()) {
  test(`FusedBatchNorm x=[${c.x}] stats [${c.stats}]${c.scale ? '' : ' no scale'}${c.offset ? '' : ' no offset'} matches cpu`, (t) => {
    const n = sizeOf(c.stats);
    const inputs: Record<string, [Float32Array, number[]]> = {
      x: [seededValues(sizeOf(c.x), 100 + i).map((v) => v * 4 + 1), c.x],
      mean: [seededValues(n, 200 + i), c.stats],
      variance: [seededValues(n, 300 + i).map((v) => v + 1.5), c.stats],
    };
    if (c.scale) inputs.scale = [seededValues(n, 400 + i).map((v) => v + 1), c.stats];
    if (c.offset) inputs.offset = [seededValues(n, 500 + i), c.stats];
    const attrs: NamedAttrMap = { varianceEpsilon: 1e-3 };
    const got = runOn(wasm, batchNorm.kernelFunc, inputs, attrs);
    const want = runOn(cpu, cpuKernel('FusedBatchNorm'), inputs, attrs);
    t.deepEqual(got.shape, want.shape);
    const err = relativeError(got.values, want.values);
    t.true(err <= 1e-5, `relative error ${err}`);
  });
}

test('Cast to the same dtype shares the data; a real conversion still converts', (t) => {
  const cast = createCastConfig(tfjs('Cast'));
  const values = Float32Array.from([1.5, -2.25, 3.75, 0]);
  const idsBefore = wasm.numDataIds();
  const dataId = wasm.write(values.slice(), [4], 'float32');
  const x: TensorInfo = { dataId, shape: [4], dtype: 'float32' };
  const same = cast.kernelFunc({ inputs: { x }, attrs: { dtype: 'float32' }, backend: wasm }) as TensorInfo;
  t.is(same.dataId, dataId);
  t.deepEqual(Array.from(wasm.readSync(same.dataId) as Float32Array), Array.from(values));
  const asInt = cast.kernelFunc({ inputs: { x }, attrs: { dtype: 'int32' }, backend: wasm }) as TensorInfo;
  t.not(asInt.dataId, dataId);
  t.is(asInt.dtype, 'int32');
  t.deepEqual(Array.from(wasm.readSync(asInt.dataId) as Int32Array), [1, -2, 3, 0]);
  wasm.disposeData(asInt.dataId);
  wasm.disposeData(same.dataId);
  wasm.disposeData(dataId);
  t.is(wasm.numDataIds(), idsBefore, 'the shared data is freed with its last reference');
});

for (const [shape, withScale] of [[[2, 5, 5, 8], true], [[3, 7, 4], false], [[1, 1, 1, 12], true]] as [number[], boolean][]) {
  test(`batch-norm gradient kernel x=[${shape}]${withScale ? '' : ' no scale'}: dx, dmean, dvariance, dscale, doffset match a float64 reference`, (t) => {
    const c = shape[shape.length - 1];
    const eps = 1e-3;
    const dy = seededValues(sizeOf(shape), 7);
    const x = seededValues(sizeOf(shape), 8).map((v) => v * 3);
    const mean = seededValues(c, 9);
    const variance = seededValues(c, 10).map((v) => v + 1.2);
    const scale = seededValues(c, 11).map((v) => v + 1);
    const write = (v: Float32Array, s: number[]): TensorInfo => ({ dataId: wasm.write(v.slice(), s, 'float32'), shape: s, dtype: 'float32' });
    const inputs: Record<string, TensorInfo> = { dy: write(dy, shape), x: write(x, shape), mean: write(mean, [c]), variance: write(variance, [c]) };
    if (withScale) inputs.scale = write(scale, [c]);
    const outs = batchNormGradConfig.kernelFunc({ inputs, attrs: { varianceEpsilon: eps }, backend: wasm }) as TensorInfo[];
    const got = outs.map((o) => Float32Array.from(wasm.readSync(o.dataId) as Float32Array));
    for (const info of [...Object.values(inputs), ...outs]) wasm.disposeData(info.dataId);
    const sumDy = new Float64Array(c);
    const sumDyXm = new Float64Array(c);
    for (let i = 0; i < dy.length; i++) {
      sumDy[i % c] += dy[i];
      sumDyXm[i % c] += dy[i] * (x[i] - mean[i % c]);
    }
    const r = Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
    const s = (k: number) => (withScale ? scale[k] : 1);
    const want = [
      Float32Array.from(dy, (v, i) => v * r[i % c] * s(i % c)),
      Float32Array.from(sumDy, (v, k) => -r[k] * s(k) * v),
      Float32Array.from(sumDyXm, (v, k) => -0.5 * r[k] ** 3 * s(k) * v),
      Float32Array.from(sumDyXm, (v, k) => r[k] * v),
      Float32Array.from(sumDy),
    ];
    t.deepEqual(outs.map((o) => o.shape), [shape, [c], [c], [c], [c]]);
    ['dx', 'dmean', 'dvariance', 'dscale', 'doffset'].forEach((name, i) => {
      const err = relativeError(got[i], want[i]);
      t.true(err <= 1e-5, `${name}: relative error ${err}`);
    });
  });
}

/** Gradient of sum(f(x) * w) on a backend, as plain values, and the kernels that ran. */
async function gradOn(backend: string, f: (x: tf.Tensor) => tf.Tensor, x: Float32Array, w: Float32Array, shape: number[]): Promise<{ values: Float32Array; kernels: string[] }> {
  await tf.setBackend(backend);
  let values: Float32Array = new Float32Array(0);
  const info = await tf.profile(() => {
    values = tf.tidy(() => {
      const xt = tf.tensor(x, shape);
      const wt = tf.tensor(w, shape);
      return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), wt)))(xt).dataSync() as Float32Array;
    });
  });
  return { values, kernels: info.kernelNames };
}

const ACTIVATIONS: [string, (x: tf.Tensor) => tf.Tensor][] = [
  ['relu', (x) => tf.relu(x)],
  ['relu6', (x) => tf.relu6(x)],
  ['clipByValue(-0.5, 2)', (x) => tf.clipByValue(x, -0.5, 2)],
  ['reLU layer with maxValue 6', (x) => tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.Tensor],
];

for (const [name, f] of ACTIVATIONS) {
  for (const shape of [[2, 6, 6, 8], [3, 5, 7]]) {
    test.serial(`${name} gradient on wasm (agekit kernel) matches cpu, x=[${shape}] with values on the boundaries`, async (t) => {
      registerWasmTrainingKernels({ replaceExisting: true });
      try {
        // Values spread over [-8, 8] plus exact boundaries (0, 6, -0.5, 2) and the tail.
        const x = seededValues(sizeOf(shape), 11).map((v, i) => (i % 9 === 0 ? [0, 6, -0.5, 2][(i / 9) % 4] : v * 8));
        const w = seededValues(sizeOf(shape), 12);
        const got = await gradOn('wasm', f, x, w, shape);
        const want = await gradOn('cpu', f, x, w, shape);
        t.true(got.kernels.includes('AgekitRangeMaskGrad'), `wasm ran ${got.kernels.join(', ')}`);
        t.false(got.kernels.includes('LogicalAnd') || got.kernels.includes('Step'));
        t.false(want.kernels.includes('AgekitRangeMaskGrad'), 'cpu keeps tfjs maths');
        t.is(relativeError(got.values, want.values), 0);
      } finally {
        await tf.setBackend('wasm');
        unregisterWasmTrainingKernels();
      }
    });
  }
}

/** Equal element by element, NaN equal to NaN (relativeError cannot see NaN). */
function sameWithNaN(a: Float32Array, b: Float32Array): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i]) || (!Number.isNaN(b[i]) && a[i] !== b[i])) return `index ${i}: ${a[i]} vs ${b[i]}`;
  }
  return undefined;
}

for (const [name, f] of ACTIVATIONS) {
  // 3x5x7 = 105 values: the SIMD loop and the scalar tail both see NaN and Inf.
  test.serial(`${name} gradient on wasm matches cpu with NaN and Inf in x and dy`, async (t) => {
    registerWasmTrainingKernels({ replaceExisting: true });
    try {
      const shape = [3, 5, 7];
      const special = [NaN, Infinity, -Infinity];
      const x = seededValues(sizeOf(shape), 21).map((v, i) => (i % 7 === 3 ? special[(i / 7) % 3 | 0] : v * 8));
      const w = seededValues(sizeOf(shape), 22).map((v, i) => (i % 5 === 1 ? special[(i / 5) % 3 | 0] : v));
      x[103] = NaN;
      x[104] = 1; // inside every range: a NaN dy there is NaN for every activation
      w[104] = NaN;
      const got = await gradOn('wasm', f, x, w, shape);
      const want = await gradOn('cpu', f, x, w, shape);
      t.true(got.kernels.includes('AgekitRangeMaskGrad'), `wasm ran ${got.kernels.join(', ')}`);
      t.true(want.values.some((v) => Number.isNaN(v)), 'the case has NaN gradients');
      t.is(sameWithNaN(got.values, want.values), undefined);
    } finally {
      await tf.setBackend('wasm');
      unregisterWasmTrainingKernels();
    }
  });
}

for (const shape of [[2, 6, 6, 8], [3, 5, 7]]) {
  test.serial(`square gradient on wasm (agekit kernel) matches cpu, x=[${shape}]`, async (t) => {
    registerWasmTrainingKernels({ replaceExisting: true });
    try {
      const x = seededValues(sizeOf(shape), 13).map((v) => v * 5);
      const w = seededValues(sizeOf(shape), 14);
      const got = await gradOn('wasm', (v) => tf.square(v), x, w, shape);
      const want = await gradOn('cpu', (v) => tf.square(v), x, w, shape);
      t.true(got.kernels.includes('AgekitScaledProduct'), `wasm ran ${got.kernels.join(', ')}`);
      t.false(want.kernels.includes('AgekitScaledProduct'), 'cpu keeps tfjs maths');
      t.true(relativeError(got.values, want.values) <= 1e-6);
    } finally {
      await tf.setBackend('wasm');
      unregisterWasmTrainingKernels();
    }
  });
}

test.serial('conv + batch norm in training mode + ReLU6: input and weight gradients on wasm match cpu', async (t) => {
  const build = () => {
    const input = tf.input({ shape: [10, 10, 3] });
    let y = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3 }).apply(y) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: y });
  };
  const shape = [4, 10, 10, 3];
  const x = seededValues(sizeOf(shape), 21).map((v) => v * 2);
  const w = seededValues(4 * 5 * 5 * 12, 22);
  const grads = async (backend: string) => {
    await tf.setBackend(backend);
    const model = build();
    let out: Float32Array[] = [];
    const info = await tf.profile(() => { out = tf.tidy(() => {
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const wt = tf.tensor(w, [4, 5, 5, 12]);
      const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(xt, { training: true }) as tf.Tensor, wt)) as tf.Scalar, vars);
      return vars.map((v) => g[v.name].dataSync() as Float32Array);
    }); });
    model.dispose();
    return { values: out, kernels: info.kernelNames };
  };
  registerWasmTrainingKernels({ replaceExisting: true });
  registerBatchNormGradient();
  try {
    const { values: got, kernels } = await grads('wasm');
    const { values: want } = await grads('cpu');
    for (const k of ['AgekitRangeMaskGrad', 'AgekitBatchNormGrad', 'AgekitZeros']) t.true(kernels.includes(k), `${k} ran on wasm`);
    // The moments' backward got zeros: no product 2x * dy for the variance path.
    t.false(kernels.includes('AgekitScaledProduct'), 'the Square gradient did no work');
    t.is(got.length, want.length);
    got.forEach((g, i) => {
      const err = relativeError(g, want[i]);
      t.true(err <= 1e-4, `weight ${i}: relative error ${err}`);
    });
  } finally {
    unregisterBatchNormGradient();
    await tf.setBackend('wasm');
    unregisterWasmTrainingKernels();
  }
});

/** Gradients of sum(batchNorm(x, mean, variance, offset, scale) * w) for every input, on a backend. */
async function batchNormGrads(backend: string, momentsOfX: boolean): Promise<{ values: Float32Array[]; kernels: string[] }> {
  await tf.setBackend(backend);
  const shape: [number, number, number, number] = [3, 5, 6, 8];
  let values: Float32Array[] = [];
  const info = await tf.profile(() => {
    values = tf.tidy(() => {
      const x = tf.tensor4d(seededValues(sizeOf(shape), 41).map((v) => v * 3 + 1), shape);
      const w = tf.tensor4d(seededValues(sizeOf(shape), 42), shape);
      const mean = tf.tensor1d(seededValues(8, 43));
      const variance = tf.tensor1d(seededValues(8, 44).map((v) => v + 1.5));
      const scale = tf.tensor1d(seededValues(8, 45).map((v) => v + 1));
      const offset = tf.tensor1d(seededValues(8, 46));
      const norm = (xx: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(xx as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), w));
      const grads = momentsOfX
        ? tf.grads((xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
          const { mean: m, variance: v } = tf.moments(xx, [0, 1, 2]);
          return norm(xx, m, v, s, o);
        })([x, scale, offset])
        : tf.grads(norm)([x, mean, variance, scale, offset]);
      return grads.map((g) => g.dataSync() as Float32Array);
    });
  });
  return { values, kernels: info.kernelNames };
}

for (const momentsOfX of [false, true]) {
  test.serial(`batch-norm gradient on wasm (agekit kernel) matches cpu, ${momentsOfX ? 'batch moments of x (moments included in dx)' : 'independent mean and variance'}`, async (t) => {
    registerWasmTrainingKernels({ replaceExisting: true });
    registerBatchNormGradient();
    try {
      const got = await batchNormGrads('wasm', momentsOfX);
      const want = await batchNormGrads('cpu', momentsOfX);
      t.true(got.kernels.includes('AgekitBatchNormGrad'));
      t.is(got.kernels.includes('AgekitZeros'), momentsOfX, 'zeros for the moments only when they are the batch moments');
      const names = momentsOfX ? ['x', 'scale', 'offset'] : ['x', 'mean', 'variance', 'scale', 'offset'];
      t.is(got.values.length, names.length);
      names.forEach((name, i) => {
        const err = relativeError(got.values[i], want.values[i]);
        t.true(err <= 1e-4, `${name}: relative error ${err}`);
      });
    } finally {
      unregisterBatchNormGradient();
      await tf.setBackend('wasm');
      unregisterWasmTrainingKernels();
    }
  });
}
