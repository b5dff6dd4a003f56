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
import { Add, Cast, FusedBatchNorm, getGradient, getKernel, Identity, Mean, registerGradient, registerKernel, Square, Sub, Sum, Tile, unregisterKernel, findBackend } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig } from './Conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.ts';
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig } from './DepthwiseConv2dNativeBackpropFilter.ts';
import { depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig } from './DepthwiseConv2dNativeBackpropInput.ts';
import { KERNEL_VARIANTS, type KernelVariant } from './kernel-variant.ts';
import { createTileConfig } from './Tile.ts';
import { createSumConfig } from './Sum.ts';
import { createMeanConfig } from './Mean.ts';
import { createIdentityConfig } from './Identity.ts';
import { createCastConfig } from './Cast.ts';
import { meanGradConfig, sumGradConfig } from './Sum_grad.ts';
import { createFusedBatchNormConfig } from './FusedBatchNorm.ts';
import { clipByValueGradConfig, rangeMaskGradConfig, relu6GradConfig, reluGradConfig } from './range-mask-gradient.ts';
import { batchNormGradConfig } from './batch-norm-grad.ts';
import { scaledProductConfig, squareGradConfig } from './square-gradient.ts';
import { createAddConfig, releaseZeroCache, zerosConfig } from './known-zeros.ts';
import { createSquareConfig, createSubConfig } from './moments-provenance.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';

export type { KernelVariant };

export interface WasmTrainingKernelOptions {
  /** `fast` (SIMD loops, XNNPACK products) or `naive` (the simple composition, a baseline). Default `fast`. */
  variant?: KernelVariant;
  /**
   * Also replace kernels tfjs ships for wasm where agekit has a faster one (Conv2DBackpropInput;
   * Identity and same-dtype Cast without a copy; Tile, Sum, Mean and FusedBatchNorm in the
   * shapes training uses, tfjs's own otherwise; Add, Square and Sub as tfjs's plus bookkeeping
   * for the batch-norm gradient) and the Sum, Mean, ReLU, ReLU6, ClipByValue and Square
   * gradients (Sum_grad.ts, range-mask-gradient.ts, square-gradient.ts; global in tfjs, same
   * maths). Fast variant only. Default false: tfjs's own kernels are left alone.
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

const fastOnly = (fast: KernelConfig): KernelEntry => ({
  name: fast.kernelName, replacesTfjs: false, make: (variant) => (variant === 'fast' ? fast : undefined),
});

const ENTRIES: KernelEntry[] = [
  missing(conv2DBackpropFilterConfig, conv2DBackpropFilterNaiveConfig),
  missing(depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterNaiveConfig),
  missing(depthwiseConv2dNativeBackpropInputConfig, depthwiseConv2dNativeBackpropInputNaiveConfig),
  // agekit's own kernels, called by agekit's gradients (fast variant only; new names, so they
  // change nothing until a gradient uses them).
  fastOnly(rangeMaskGradConfig),
  fastOnly(batchNormGradConfig),
  fastOnly(scaledProductConfig),
  fastOnly(zerosConfig),
  { name: conv2DBackpropInputConfig.kernelName, replacesTfjs: true, make: (v) => (v === 'fast' ? conv2DBackpropInputConfig : undefined) },
  { name: Tile, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createTileConfig(tfjs) : undefined) },
  { name: Sum, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createSumConfig(tfjs) : undefined) },
  { name: Mean, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createMeanConfig(tfjs) : undefined) },
  { name: Identity, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createIdentityConfig(tfjs) : undefined) },
  { name: Cast, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createCastConfig(tfjs) : undefined) },
  { name: FusedBatchNorm, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createFusedBatchNormConfig(tfjs) : undefined) },
  // tfjs's kernels plus bookkeeping for the batch-norm gradient: Add skips known zeros, Square
  // and Sub record what they computed (known-zeros.ts, moments-provenance.ts).
  { name: Add, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createAddConfig(tfjs) : undefined) },
  { name: Square, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createSquareConfig(tfjs) : undefined) },
  { name: Sub, replacesTfjs: true, make: (v, tfjs) => (v === 'fast' && tfjs ? createSubConfig(tfjs) : undefined) },
];

// Every kernel function agekit registered, to tell ours from tfjs's in the global registry.
const ourFuncs = new WeakSet<KernelFunc>();

// The tfjs kernels we replaced, to put back on unregister. It mirrors tfjs's own global kernel
// registry, which is process-wide too.
const displaced = new Map<string, KernelConfig>();
const displacedGradients = new Map<string, GradConfig>();

// Gradients agekit replaces (global in tfjs, for every backend): Sum and Mean, the same maths
// without the full-size JavaScript `ones` arrays; ReLU, ReLU6, ClipByValue and Square, one agekit
// kernel on wasm (tfjs's maths elsewhere). Installed with the fast variant and replaceExisting.
const GRADIENTS: GradConfig[] = [sumGradConfig, meanGradConfig, reluGradConfig, relu6GradConfig, clipByValueGradConfig, squareGradConfig];

function useAgekitGradients(on: boolean): string[] {
  const names: string[] = [];
  for (const config of GRADIENTS) {
    const current = getGradient(config.kernelName);
    if (on) {
      if (current !== config) {
        if (current) displacedGradients.set(config.kernelName, current);
        registerGradient(config);
      }
      names.push(`${config.kernelName} gradient`);
    } else if (current === config) {
      const original = displacedGradients.get(config.kernelName);
      if (original) registerGradient(original);
      displacedGradients.delete(config.kernelName);
      names.push(`${config.kernelName} gradient`);
    }
  }
  return names;
}

function register(config: KernelConfig): void {
  ourFuncs.add(config.kernelFunc);
  registerKernel(config);
}

/**
 * Register the agekit training kernels for the `wasm` backend.
 * @returns the names of the agekit kernels active after the call (registered now or before),
 *   then `<Kernel> gradient` for each agekit gradient in use.
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
  const gradientsOn = variant === 'fast' && (replaceExisting || GRADIENTS.some((g) => getGradient(g.kernelName) === g));
  const gradients = useAgekitGradients(gradientsOn);
  return gradientsOn ? [...active, ...gradients] : active;
}

/**
 * Remove every agekit kernel from the `wasm` backend and put back the tfjs kernels it replaced.
 * @returns the names removed.
 */
export function unregisterWasmTrainingKernels(): string[] {
  const removed: string[] = useAgekitGradients(false);
  const wasm = findBackend('wasm');
  if (wasm) releaseZeroCache(wasm as unknown as BackendWasm);
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
