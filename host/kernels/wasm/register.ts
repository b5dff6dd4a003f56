/**
 * Registers the gradient kernels the tfjs WASM backend lacks, so convolutional networks (fused
 * tfjs-layers convolutions included) train on it. An explicit call, safe to repeat; it never
 * replaces a kernel tfjs itself ships unless `replaceExisting` is set.
 *
 * @example
 * await initBackend('wasm');
 * const names = registerWasmTrainingKernels(); // ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', ...]
 * console.error(`backend wasm + ${names.length} agekit kernels`);
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig } from './Conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig } from './DepthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig } from './DepthwiseConv2dNativeBackpropInput.ts';
import { KERNEL_VARIANTS, type KernelVariant } from './kernel-variant.ts';

export type { KernelVariant };

export interface WasmTrainingKernelOptions {
  /** `fast` (SIMD loops, XNNPACK products) or `naive` (the simple composition, a baseline). Default `fast`. */
  variant?: KernelVariant;
  /**
   * Also replace kernels tfjs ships for wasm where agekit has a faster one (Conv2DBackpropInput,
   * fast variant only). Default false: tfjs's own kernels are left alone.
   */
  replaceExisting?: boolean;
}

export const DEFAULT_WASM_TRAINING_KERNEL_OPTIONS: Required<WasmTrainingKernelOptions> = { variant: 'fast', replaceExisting: false };

interface KernelEntry {
  /** Per variant; absent = this variant leaves the kernel to tfjs. */
  configs: Partial<Record<KernelVariant, KernelConfig>>;
  /** tfjs ships this kernel for wasm: ours only replaces it when asked. */
  replacesTfjs: boolean;
}

const ENTRIES: KernelEntry[] = [
  { configs: { fast: conv2DBackpropFilterConfig, naive: conv2DBackpropFilterNaiveConfig }, replacesTfjs: false },
  { configs: { fast: depthwiseConv2dNativeBackpropFilterConfig, naive: depthwiseConv2dNativeBackpropFilterNaiveConfig }, replacesTfjs: false },
  { configs: { fast: depthwiseConv2dNativeBackpropInputConfig, naive: depthwiseConv2dNativeBackpropInputNaiveConfig }, replacesTfjs: false },
  { configs: { fast: conv2DBackpropInputConfig }, replacesTfjs: true },
];

const OUR_FUNCS = new Set<KernelFunc>(ENTRIES.flatMap((e) => Object.values(e.configs).map((c) => c.kernelFunc)));

// The tfjs kernels we replaced, to put back on unregister. It mirrors tfjs's own global kernel
// registry, which is process-wide too.
const displaced = new Map<string, KernelConfig>();

function kernelName(entry: KernelEntry): string {
  return Object.values(entry.configs)[0].kernelName;
}

/**
 * Register the agekit training kernels for the `wasm` backend.
 * @returns the names of the agekit kernels active after the call (registered now or before).
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): string[] {
  const { variant, replaceExisting } = { ...DEFAULT_WASM_TRAINING_KERNEL_OPTIONS, ...options };
  if (!KERNEL_VARIANTS.includes(variant)) {
    throw new Error(`registerWasmTrainingKernels: unknown variant "${variant}"; use one of ${KERNEL_VARIANTS.join(', ')}`);
  }
  const active: string[] = [];
  for (const entry of ENTRIES) {
    const name = kernelName(entry);
    const wanted = entry.configs[variant];
    const current = getKernel(name, 'wasm');
    const currentIsOurs = current !== undefined && OUR_FUNCS.has(current.kernelFunc);
    if (currentIsOurs) {
      unregisterKernel(name, 'wasm');
      if (wanted) {
        registerKernel(wanted);
        active.push(name);
      } else if (displaced.has(name)) {
        registerKernel(displaced.get(name) as KernelConfig);
        displaced.delete(name);
      }
      continue;
    }
    if (!wanted) continue;
    if (current !== undefined) {
      if (!entry.replacesTfjs || !replaceExisting) continue;
      displaced.set(name, current);
      unregisterKernel(name, 'wasm');
    }
    registerKernel(wanted);
    active.push(name);
  }
  return active;
}

/**
 * Remove every agekit kernel from the `wasm` backend and put back the tfjs kernels it replaced.
 * @returns the names removed.
 */
export function unregisterWasmTrainingKernels(): string[] {
  const removed: string[] = [];
  for (const entry of ENTRIES) {
    const name = kernelName(entry);
    const current = getKernel(name, 'wasm');
    if (current === undefined || !OUR_FUNCS.has(current.kernelFunc)) continue;
    unregisterKernel(name, 'wasm');
    removed.push(name);
    const original = displaced.get(name);
    if (original) {
      registerKernel(original);
      displaced.delete(name);
    }
  }
  return removed;
}
