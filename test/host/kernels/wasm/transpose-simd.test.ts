/**
 * The SIMD 2-D transpose the dense filter gradient uses, against the CPU backend's Transpose:
 * multiples of 4 (the SIMD loop) and other sizes (tfjs's kernel), tall and wide.
 */
import test from 'ava';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { transpose2d } from '../../../../host/kernels/wasm/transpose-simd-module.ts';
import type { BackendWasm } from '../../../../host/kernels/wasm/wasm-backend-calls.ts';
import { backends, cpuKernel, runOn, seededValues } from './kernel-cases.ts';

const { wasm, cpu } = await backends();

for (const shape of [[4, 4], [8, 12], [1024, 96], [2048, 16], [36, 1280], [6, 7], [12, 10]]) {
  test(`transpose [${shape}] matches cpu exactly`, (t) => {
    const x = seededValues(shape[0] * shape[1], 30 + shape[0]);
    const ids = wasm.numDataIds();
    const got = runOn(wasm, ({ inputs, backend }) => transpose2d(backend as unknown as BackendWasm, (inputs as { x: TensorInfo }).x), { x: [x, shape] }, {});
    const want = runOn(cpu, cpuKernel('Transpose'), { x: [x, shape] }, { perm: [1, 0] });
    t.deepEqual(got.shape, [shape[1], shape[0]]);
    t.deepEqual(Array.from(got.values), Array.from(want.values));
    t.is(wasm.numDataIds(), ids, 'no backend data left behind');
  });
}
