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
import { getKernel, Mean, registerKernel, Sum, Tile, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig } from './Conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig } from './DepthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig } from './DepthwiseConv2dNativeBackpropInput.ts';
import { KERNEL_VARIANTS, type KernelVariant } from './kernel-variant.ts';
import { createTileConfig } from './Tile.ts';
import { createSumConfig } from './Sum.ts';
import { createMeanConfig } from './Mean.ts';

export type { KernelVariant };

export interface WasmTrainingKernelOptions {
  /** `fast` (SIMD loops, XNNPACK products) or `naive` (the simple composition, a baseline). Default `fast`. */
  variant?: KernelVariant;
  /**
   * Also replace kernels tfjs ships for wasm where agekit has a faster one (Conv2DBackpropInput;
   * Tile, Sum and Mean in the shapes gradients use, tfjs's own otherwise; fast variant only). Default false: tfjs's own kernels are left alone.
   */
  replaceExisting?: boolean;
}

export const DEFAULT_WASM_TRAINING_KERNEL_OPTIONS: Required<WasmTrainingKernelOptions> = { variant: 'fast', replaceExisting: false };

interface KernelEntry {
  name: string;
  /** The config for a variant, given the kernel tfjs ships (if any); undefined = leave it to tfjs. */
  make(variant: KernelVariant, tfjsKernel: KernelConfig | undefined): KernelConfig | undefined;
  /** tfjs ships this kernel for wasm: ours only replaces it when asked. */
  replacesTfjs: boolean;
}

const missing = (fast: KernelConfig, naive: KernelConfig): KernelEntry => ({
  name: fast.kernelName, replacesTfjs: false, make: (variant) => (variant === 'fast' ? fast : naive),
});

const ENTRIES: KernelEntry[] = [
  missing(conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig),
  missing(depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig),
  missing(depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig),
  { name: conv2DBackpropInputConfig.kernelName, replacesTfjs: true, make: (v) => (v === 'fast' ? conv2DBackpropInputConfig : undefined) },
  { name: Tile, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createTileConfig(tfjs) : undefined) },
  { name: Sum, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createSumConfig(tfjs) : undefined) },
  { name: Mean, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createMeanConfig(tfjs) : undefined) },
];

// Every kernel function agekit registered, to tell ours from tfjs's in the global registry.
const ourFuncs = new WeakSet<KernelFunc>();

// The tfjs kernels we replaced, to put back on unregister. It mirrors tfjs's own global kernel
// registry, which is process-wide too.
const displaced = new Map<string, KernelConfig>();

function register(config: KernelConfig): void {
  ourFuncs.add(config.kernelFunc);
  registerKernel(config);
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
    const name = entry.name;
    const current = getKernel(name, 'wasm');
    if (current !== undefined && ourFuncs.has(current.kernelFunc)) {
      // Ours already: switch to the wanted variant (or back to tfjs's kernel if it has none).
      unregisterKernel(name, 'wasm');
      const tfjsKernel = displaced.get(name);
      const wanted = entry.make(variant, tfjsKernel);
      if (wanted) {
        register(wanted);
        active.push(name);
      } else if (tfjsKernel) {
        registerKernel(tfjsKernel);
        displaced.delete(name);
      }
      continue;
    }
    const wanted = entry.make(variant, current);
    if (!wanted) continue;
    if (current !== undefined) {
      if (!entry.replacesTfjs || !replaceExisting) continue;
      displaced.set(name, current);
      unregisterKernel(name, 'wasm');
    }
    register(wanted);
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
    const name = entry.name;
    const current = getKernel(name, 'wasm');
    if (current === undefined || !ourFuncs.has(current.kernelFunc)) continue;
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
