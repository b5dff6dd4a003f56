/**
 * The two implementations every agekit WASM training kernel offers: `fast` (the default; SIMD
 * loops and XNNPACK matrix products) and `naive` (the first simple composition of tfjs kernels,
 * kept as the benchmark baseline and as the fallback for rare shapes).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';

export type KernelVariant = 'fast' | 'naive';
export const KERNEL_VARIANTS: readonly KernelVariant[] = ['fast', 'naive'];

/** Reject what the kernels do not implement, naming the kernel and the value received. */
export function requireFloat32Nhwc(kernel: string, inputs: Record<string, TensorInfo>, dataFormat?: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (agekit wasm): dataFormat ${dataFormat} is not supported; use NHWC (channelsLast)`);
  }
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (agekit wasm): input ${name} has dtype ${t.dtype}; float32 required`);
    if (t.shape.length !== 4) throw new Error(`${kernel} (agekit wasm): input ${name} has shape [${t.shape}]; rank 4 required`);
  }
}
