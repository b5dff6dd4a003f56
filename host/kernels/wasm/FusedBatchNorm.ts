/**
 * A faster FusedBatchNorm for the tfjs WASM backend when the statistics are per channel (last
 * axis, a multiple of 4 channels): per-channel a = scale / sqrt(var + eps) and b = offset - mean * a
 * are computed once, then y = x * a + b is one SIMD pass (tfjs's kernel is a scalar loop: ~9% of
 * a MobileNet training step). Any other shape goes to the kernel tfjs ships. It replaces tfjs's
 * kernel, so registerWasmTrainingKernels installs it only with `replaceExisting`.
 */
import { FusedBatchNorm } from '@tensorflow/tfjs-core';
import type { FusedBatchNormAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { channelSimdFor } from './channel-simd-module.ts';
import { allocate, backendMemory, floatView, heapAddress, release, type BackendWasm } from './wasm-backend-calls.ts';

interface BatchNormInputs { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo }

const size = (t: TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

/** True when every statistic holds exactly one float32 value per channel of x's last axis. */
export function perChannelBatchNorm(i: BatchNormInputs): boolean {
  const { x } = i;
  const channels = x.shape[x.shape.length - 1];
  if (x.dtype !== 'float32' || x.shape.length < 2 || !(channels > 0) || channels % 4 !== 0) return false;
  return [i.mean, i.variance, i.offset, i.scale].every((t) => t == null
    || (t.dtype === 'float32' && size(t) === channels && t.shape[t.shape.length - 1] === channels));
}

/** y = (x - mean) * scale / sqrt(variance + eps) + offset, per channel, in one SIMD pass over x. */
export function batchNormPerChannel(backend: BackendWasm, i: BatchNormInputs, varianceEpsilon: number): TensorInfo {
  const { x } = i;
  const channels = x.shape[x.shape.length - 1];
  const rows = size(x) / channels;
  const coef = allocate(backend, [2, channels]);
  const out = allocate(backend, [...x.shape]);
  // Views after every allocation: a heap growth detaches older ones.
  const ab = floatView(backend, coef);
  const mean = floatView(backend, i.mean);
  const variance = floatView(backend, i.variance);
  const offset = i.offset ? floatView(backend, i.offset) : undefined;
  const scale = i.scale ? floatView(backend, i.scale) : undefined;
  for (let c = 0; c < channels; c++) {
    const a = (scale ? scale[c] : 1) / Math.sqrt(variance[c] + varianceEpsilon);
    ab[c] = a;
    ab[channels + c] = (offset ? offset[c] : 0) - mean[c] * a;
  }
  if (rows > 0) {
    const coefAt = heapAddress(backend, coef);
    channelSimdFor(backendMemory(backend)).scaleShiftRows(heapAddress(backend, x), coefAt, coefAt + channels * 4, heapAddress(backend, out), rows, channels * 4);
  }
  release(backend, coef);
  return out;
}

/** The FusedBatchNorm config, falling back to `tfjsBatchNorm` (the kernel it replaces) outside the per-channel case. */
export function createFusedBatchNormConfig(tfjsBatchNorm: KernelConfig): KernelConfig {
  return {
    kernelName: FusedBatchNorm,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as BatchNormInputs;
      if (!perChannelBatchNorm(inputs)) return tfjsBatchNorm.kernelFunc(args);
      const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
      return batchNormPerChannel(args.backend as BackendWasm, inputs, varianceEpsilon);
    },
  };
}
