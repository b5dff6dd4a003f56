/**
 * The two per-channel reductions of the batch-norm gradient in one SIMD pass over dy and x:
 * sumDy[c] = sum over rows of dy, sumDyXm[c] = sum over rows of dy * (x - mean[c]). tfjs ops
 * take four full passes for them (Sub, Multiply, two Sums). The kernel `AgekitBatchNormGradSums`
 * has inputs {dy, x, mean} (dy and x [..., C] float32 with C a multiple of 4, mean [C]) and two
 * outputs [sumDy, sumDyXm], each [C].
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { channelSimdFor } from './channel-simd-module.ts';
import { allocate, backendMemory, heapAddress, type BackendWasm } from './wasm-backend-calls.ts';

export const BATCH_NORM_GRAD_SUMS = 'AgekitBatchNormGradSums';

/** Whether the kernel takes these shapes: dy and x alike, [..., C], C a multiple of 4, mean of C values. */
export function batchNormGradSumsApplies(dy: { shape: number[]; dtype: string }, x: { shape: number[]; dtype: string }, mean: { shape: number[]; dtype: string }): boolean {
  const c = x.shape[x.shape.length - 1];
  return x.shape.length >= 2 && dy.shape.join() === x.shape.join() && c > 0 && c % 4 === 0
    && mean.shape.length === 1 && mean.shape[0] === c
    && dy.dtype === 'float32' && x.dtype === 'float32' && mean.dtype === 'float32';
}

export const batchNormGradSumsConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD_SUMS,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, x, mean } = inputs as { dy: TensorInfo; x: TensorInfo; mean: TensorInfo };
    if (!batchNormGradSumsApplies(dy, x, mean)) {
      throw new Error(`${BATCH_NORM_GRAD_SUMS}: expected dy and x [..., C] alike with C a multiple of 4 and mean [C]; got dy [${dy.shape}], x [${x.shape}], mean [${mean.shape}]`);
    }
    const b = backend as BackendWasm;
    const channels = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((a, c) => a * c, 1) / channels;
    const sumDy = allocate(b, [channels], true);
    const sumDyXm = allocate(b, [channels], true);
    if (rows > 0) {
      channelSimdFor(backendMemory(b)).normGradSums(heapAddress(b, dy), heapAddress(b, x), heapAddress(b, mean),
        heapAddress(b, sumDy), heapAddress(b, sumDyXm), rows, channels * 4);
    }
    return [sumDy, sumDyXm];
  },
};
