/**
 * The whole batch-norm gradient (per-channel statistics) as one WASM kernel,
 * `AgekitBatchNormGrad`: one SIMD pass over dy and x for the two per-channel reductions
 * sumDy = sum dy and sumDyXm = sum dy * (x - mean), one SIMD pass for dx, and the four
 * per-channel gradients in JavaScript:
 *   dx = dy * r * s;  dmean = -r * s * sumDy;  dvariance = -r³/2 * s * sumDyXm;
 *   dscale = r * sumDyXm;  doffset = sumDy;   with r = 1/sqrt(variance + eps), s = scale (or 1).
 * With attr `includeMoments` (mean and variance are the batch moments of x, N values per
 * channel: see moments-provenance.ts) dx also holds what flows back through the moments,
 *   dx = dy * r * s + dmean / N + dvariance * 2 (x - mean) / N,
 * and dmean and dvariance are zeros (known-zeros.ts), so the moments' backward does no work.
 * With tfjs ops that was six full-size kernels and about a dozen small ones per layer, plus six
 * full-size ones for the moments. Inputs {dy, x, mean, variance, scale?} (dy and x [..., C]
 * float32 with C a multiple of 4; the statistics [C]); attrs {varianceEpsilon, includeMoments};
 * outputs [dx, dmean, dvariance, dscale, doffset].
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { channelSimdFor } from './channel-simd-module.ts';
import { markZero } from './known-zeros.ts';
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
    const { varianceEpsilon, includeMoments } = attrs as unknown as { varianceEpsilon: number; includeMoments?: boolean };
    if (!batchNormGradApplies(dy, x, [mean, variance, scale])) {
      throw new Error(`${BATCH_NORM_GRAD}: expected dy and x [..., C] alike with C a multiple of 4 and statistics [C]; got dy [${dy.shape}], x [${x.shape}], mean [${mean.shape}], variance [${variance.shape}]`);
    }
    const b = backend as BackendWasm;
    const channels = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((a, c) => a * c, 1) / channels;
    // work rows: 0 sumDy, 1 sumDyXm, 2 dx factor of dy, 3 dx factor of x, 4 dx shift
    const work = allocate(b, [5, channels], true);
    const simd = channelSimdFor(backendMemory(b));
    const at = heapAddress(b, work);
    const row = (i: number) => at + i * channels * 4;
    if (rows > 0) simd.normGradSums(heapAddress(b, dy), heapAddress(b, x), heapAddress(b, mean), row(0), row(1), rows, channels * 4);
    const outs = [0, 1, 2, 3].map(() => allocate(b, [channels], true));
    const dx = allocate(b, [...x.shape]);
    const w = floatView(b, work);
    const m = floatView(b, mean);
    const v = floatView(b, variance);
    const s = scale ? floatView(b, scale) : undefined;
    const [dMean, dVar, dScale, dOffset] = outs.map((o) => floatView(b, o));
    for (let c = 0; c < channels; c++) {
      const r = 1 / Math.sqrt(v[c] + varianceEpsilon);
      const sc = s ? s[c] : 1;
      const sumDy = w[c];
      const sumDyXm = w[channels + c];
      const gMean = -r * sc * sumDy;
      const gVar = -0.5 * r * r * r * sc * sumDyXm;
      w[2 * channels + c] = r * sc;
      if (includeMoments) {
        // dx += dmean / N + dvar * 2 (x - mean) / N  =  x * k + (dmean / N - k * mean)
        const k = (2 * gVar) / rows;
        w[3 * channels + c] = k;
        w[4 * channels + c] = gMean / rows - k * m[c];
      } else {
        dMean[c] = gMean;
        dVar[c] = gVar;
      }
      dScale[c] = r * sumDyXm;
      dOffset[c] = sumDy;
    }
    if (rows > 0) {
      if (includeMoments) simd.affine2Rows(heapAddress(b, dy), heapAddress(b, x), row(2), row(3), row(4), heapAddress(b, dx), rows, channels * 4);
      else simd.scaleShiftRows(heapAddress(b, dy), row(2), row(3), heapAddress(b, dx), rows, channels * 4);
    }
    if (includeMoments) {
      markZero(outs[0]);
      markZero(outs[1]);
    }
    release(b, work);
    return [dx, ...outs];
  },
};
