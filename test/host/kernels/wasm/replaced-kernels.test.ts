/**
 * The kernels agekit puts in place of tfjs's own WASM kernels (Tile, Sum, Mean fast paths for the
 * shapes gradients use; everything else falls back to tfjs) against the CPU backend.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { createTileConfig } from '../../../../host/kernels/wasm/Tile.ts';
import { createSumConfig } from '../../../../host/kernels/wasm/Sum.ts';
import { createMeanConfig } from '../../../../host/kernels/wasm/Mean.ts';
import { backends, cpuKernel, relativeError, runOn, seededValues } from './kernel-cases.ts';

const { wasm, cpu } = await backends();
const tfjs = (name: string) => tf.getKernel(name, 'wasm') as KernelConfig;
const configs: Record<string, KernelConfig> = {
  Tile: createTileConfig(tfjs('Tile')),
  Sum: createSumConfig(tfjs('Sum')),
  Mean: createMeanConfig(tfjs('Mean')),
};

const CASES: { kernel: string; shape: number[]; attrs: NamedAttrMap }[] = [
  { kernel: 'Tile', shape: [1, 1, 1, 8], attrs: { reps: [2, 3, 3, 1] } },
  { kernel: 'Tile', shape: [1, 1, 1, 5], attrs: { reps: [3, 2, 1, 2] } },
  { kernel: 'Tile', shape: [1, 7], attrs: { reps: [4, 1] } },
  { kernel: 'Tile', shape: [2, 3], attrs: { reps: [2, 2] } },
  { kernel: 'Tile', shape: [4, 1, 1, 8], attrs: { reps: [1, 3, 3, 1] } },
  { kernel: 'Tile', shape: [3, 1, 5], attrs: { reps: [2, 2, 3] } },
  { kernel: 'Tile', shape: [6], attrs: { reps: [3] } },
  { kernel: 'Tile', shape: [2, 2, 1, 3], attrs: { reps: [1, 2, 2, 1] } },
  { kernel: 'Sum', shape: [2, 5, 5, 8], attrs: { axis: [0, 1, 2], keepDims: false } },
  { kernel: 'Sum', shape: [3, 4, 5, 3], attrs: { axis: [0, 1, 2], keepDims: true } },
  { kernel: 'Sum', shape: [6, 12], attrs: { axis: 0, keepDims: false } },
  { kernel: 'Sum', shape: [2, 5, 5, 8], attrs: { axis: [-4, -3], keepDims: false } },
  { kernel: 'Sum', shape: [2, 5, 5, 8], attrs: { axis: [1, 2], keepDims: false } },
  { kernel: 'Sum', shape: [2, 5, 5, 8], attrs: { axis: [0, 1, 2, 3], keepDims: false } },
  { kernel: 'Mean', shape: [4, 6, 6, 16], attrs: { axis: [0, 1, 2], keepDims: true } },
  { kernel: 'Mean', shape: [4, 6, 6, 6], attrs: { axis: [0, 1, 2], keepDims: false } },
  { kernel: 'Mean', shape: [2, 5, 5, 8], attrs: { axis: [3], keepDims: false } },
];

for (const [i, c] of CASES.entries()) {
  test(`${c.kernel} x=[${c.shape}] ${JSON.stringify(c.attrs)} matches cpu`, (t) => {
    const x = seededValues(c.shape.reduce((a, b) => a * b, 1), 20 + i);
    const got = runOn(wasm, configs[c.kernel].kernelFunc, { x: [x, c.shape] }, c.attrs);
    const want = runOn(cpu, cpuKernel(c.kernel), { x: [x, c.shape] }, c.attrs);
    t.deepEqual(got.shape, want.shape);
    t.true(relativeError(got.values, want.values) <= 1e-5);
  });
}
