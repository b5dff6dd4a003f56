/**
 * Gradients that are all zeros, handled without full-size passes on the WASM backend. When the
 * batch-norm gradient already includes the moments' part (moments-provenance.ts), the moments'
 * own backward only ever sees zeros; these pieces keep it from computing on them:
 * - `AgekitZeros` {shape}: a zero tensor sharing one cached, never-written zero buffer per size
 *   (tensor data is immutable, so sharing is safe, as for Reshape);
 * - data ids known to hold zeros, so the Add replacement returns the other operand without a
 *   copy and Sum returns zeros without reading;
 * - {@link isAllZero}: a known id, or a small float32 tensor whose values are all 0.
 */
import { Add } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, floatView, type BackendWasm } from './wasm-backend-calls.ts';

export const ZEROS = 'AgekitZeros';

const knownZero = new WeakSet<object>();
// One zero buffer per element count, per backend; the cache holds one reference to each.
const cache = new WeakMap<BackendWasm, Map<number, TensorInfo>>();
/** Largest zero buffer kept, in floats (64 MB); bigger zero tensors are allocated each time. */
export const MAX_CACHED_ZERO_FLOATS = 16 * 1024 * 1024;
/** Largest tensor {@link isAllZero} reads to check its values. */
const MAX_CHECKED = 1 << 16;

/** Mark a tensor's data as all zeros (the caller guarantees it). */
export function markZero(info: TensorInfo): void {
  knownZero.add(info.dataId);
}

/** Whether the data is known to be all zeros, without reading it. */
export function isKnownZero(info: TensorInfo): boolean {
  return knownZero.has(info.dataId);
}

/** Known zeros, or a float32 tensor of at most 65,536 values that are all 0 (read on the heap). */
export function isAllZero(backend: BackendWasm, info: TensorInfo): boolean {
  if (knownZero.has(info.dataId)) return true;
  const n = info.shape.reduce((a, b) => a * b, 1);
  if (info.dtype !== 'float32' || n > MAX_CHECKED) return false;
  const v = floatView(backend, info);
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/** A float32 zero tensor of `shape` (one new backend reference on shared data when cached). */
export function zerosInfo(backend: BackendWasm, shape: number[]): TensorInfo {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_CACHED_ZERO_FLOATS) {
    const out = allocate(backend, shape, true);
    markZero(out);
    return out;
  }
  let sizes = cache.get(backend);
  if (!sizes) cache.set(backend, (sizes = new Map()));
  let zeros = sizes.get(n);
  if (!zeros) {
    zeros = allocate(backend, [n], true);
    markZero(zeros);
    sizes.set(n, zeros);
  }
  backend.incRef(zeros.dataId);
  return { dataId: zeros.dataId, shape: [...shape], dtype: 'float32' };
}

/** Free the cached zero buffers of a backend (tensors still using one keep it alive). */
export function releaseZeroCache(backend: BackendWasm): void {
  const sizes = cache.get(backend);
  if (!sizes) return;
  for (const z of sizes.values()) backend.disposeData(z.dataId);
  cache.delete(backend);
}

/** The zero tensor kernel: attrs { shape }. */
export const zerosConfig: KernelConfig = {
  kernelName: ZEROS,
  backendName: 'wasm',
  kernelFunc: ({ attrs, backend }) => zerosInfo(backend as BackendWasm, (attrs as unknown as { shape: number[] }).shape),
};

/** tfjs's Add, except that adding known zeros of the same shape and dtype returns the other operand's data. */
export function createAddConfig(tfjsAdd: KernelConfig): KernelConfig {
  return {
    kernelName: Add,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype === 'float32' && b.dtype === 'float32' && a.shape.join() === b.shape.join()) {
        const keep = knownZero.has(a.dataId) ? b : knownZero.has(b.dataId) ? a : undefined;
        if (keep) {
          (args.backend as BackendWasm).incRef(keep.dataId);
          return { dataId: keep.dataId, shape: [...keep.shape], dtype: keep.dtype };
        }
      }
      return tfjsAdd.kernelFunc(args);
    },
  };
}
