/**
 * The whole batch-norm gradient (per-channel statistics) as one WASM kernel,
 * `AgekitBatchNormGrad`: one SIMD pass over dy and x for the two per-channel reductions
 * sumDy = sum dy and sumDyXm = sum dy * (x - mean), one SIMD pass for dx, and the four
 * per-channel gradients in JavaScript:
 *   dx = dy * r * s;  dmean = -r * s * sumDy;  dvariance = -r³/2 * s * sumDyXm;
 *   dscale = r * sumDyXm;  doffset = sumDy;   with r = 1/sqrt(variance + eps), s = scale (or 1).
 * With tfjs ops that was six full-size kernels and about a dozen small ones per layer, each
 * with the engine's per-call cost. Inputs {dy, x, mean, variance, scale?} (dy and x [..., C]
 * float32 with C a multiple of 4; the statistics [C]); attrs {varianceEpsilon}; outputs
 * [dx, dmean, dvariance, dscale, doffset].
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { channelSimdFor } from './channel-simd-module.ts';
import { allocate, backendMemory, floatView, heapAddress, release, type BackendWasm } from './wasm-backend-calls.ts';

export const BATCH_NORM_GRAD = 'AgekitBatchNormGrad';

type Shaped = { shape: number[]; dtype: string };

/** Whether the kernel takes these shapes: dy and x alike [..., C], C a multiple of 4, statistics [C]. */
export function batchNormGradApplies(dy: Shaped, x: Shaped, stats: (Shaped | undefined)[]): boolean {
  const c = x.shape[x.shape.length - 1];
  return x.shape.length >= 2 && dy.shape.join() === x.shape.join() && c > 0 && c % 4 === 0
    && dy.dtype === 'float32' && x.dtype === 'float32'
    && stats.every((t) => t === undefined || (t.shape.length === 1 && t.shape[0] === c && t.dtype === 'float32'));
}

export const batchNormGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x, mean, variance, scale } = inputs as { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo };
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    if (!batchNormGradApplies(dy, x, [mean, variance, scale])) {
      throw new Error(`${BATCH_NORM_GRAD}: expected dy and x [..., C] alike with C a multiple of 4 and statistics [C]; got dy [${dy.shape}], x [${x.shape}], mean [${mean.shape}], variance [${variance.shape}]`);
    }
    const b = backend as BackendWasm;
    const channels = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((a, c) => a * c, 1) / channels;
    // work rows: 0 sumDy, 1 sumDyXm, 2 r*s (dx factor), 3 zeros (dx shift)
    const work = allocate(b, [4, channels], true);
    const simd = channelSimdFor(backendMemory(b));
    const at = heapAddress(b, work);
    if (rows > 0) simd.normGradSums(heapAddress(b, dy), heapAddress(b, x), heapAddress(b, mean), at, at + channels * 4, rows, channels * 4);
    const outs = [0, 1, 2, 3].map(() => allocate(b, [channels]));
    const dx = allocate(b, [...x.shape]);
    const w = floatView(b, work);
    const v = floatView(b, variance);
    const s = scale ? floatView(b, scale) : undefined;
    const [dMean, dVar, dScale, dOffset] = outs.map((o) => floatView(b, o));
    for (let c = 0; c < channels; c++) {
      const r = 1 / Math.sqrt(v[c] + varianceEpsilon);
      const sc = s ? s[c] : 1;
      const sumDy = w[c];
      const sumDyXm = w[channels + c];
      w[2 * channels + c] = r * sc;
      dMean[c] = -r * sc * sumDy;
      dVar[c] = -0.5 * r * r * r * sc * sumDyXm;
      dScale[c] = r * sumDyXm;
      dOffset[c] = sumDy;
    }
    if (rows > 0) simd.scaleShiftRows(heapAddress(b, dy), at + 2 * channels * 4, at + 3 * channels * 4, heapAddress(b, dx), rows, channels * 4);
    release(b, work);
    return [dx, ...outs];
  },
};
