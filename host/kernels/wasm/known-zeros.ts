/**
 * Gradients that are all zeros, handled without full-size passes on the WASM backend. When the
 * batch-norm gradient already includes the moments' part (moments-provenance.ts), the moments'
 * own backward only ever sees zeros; these pieces keep it from computing on them:
 * - `AgekitZeros` {shape}: a zero tensor sharing one cached, never-written zero buffer per size
 *   (tensor data is immutable, so sharing is safe, as for Reshape); the cache has a total byte
 *   budget with least-recently-used eviction;
 * - data ids known to hold zeros, so the Add replacement returns the other operand without a
 *   copy and Sum returns zeros without reading;
 * - {@link isAllZero}: a known id, or a small float32 tensor whose values are all 0.
 */
import { Add, engine, keep } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, floatView, type BackendWasm } from './wasm-backend-calls.ts';

export const ZEROS = 'AgekitZeros';

const knownZero = new WeakSet<object>();
// One zero buffer per element count, per backend, held as a kept engine tensor: tf.memory()
// shows it, and evicting it is a plain dispose, so the engine's and the backend's reference
// counts decide when the heap memory is freed (only after the last tensor sharing it goes).
// Map order is recency of use (least recent first), for eviction.
const cache = new WeakMap<BackendWasm, Map<number, Tensor>>();
/** Largest zero buffer kept, in floats (64 MB); bigger zero tensors are allocated each time. */
export const MAX_CACHED_ZERO_FLOATS = 16 * 1024 * 1024;
/** Default total size of the cached zero buffers of a backend, in bytes (128 MB). */
export const DEFAULT_ZERO_CACHE_BYTES = 128 * 1024 * 1024;
let budgetBytes = DEFAULT_ZERO_CACHE_BYTES;
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

/**
 * Set the total size of the cached zero buffers per backend, in bytes (default
 * {@link DEFAULT_ZERO_CACHE_BYTES}); applies from the next zero tensor made. Returns the
 * previous budget. Least recently used buffers are evicted to stay within it.
 */
export function setZeroCacheBudget(bytes: number): number {
  const previous = budgetBytes;
  budgetBytes = Math.max(0, bytes);
  return previous;
}

/** Bytes of zero buffers a backend's cache holds now (shared with live tensors or not). */
export function zeroCacheBytes(backend: BackendWasm): number {
  let total = 0;
  for (const z of cache.get(backend)?.values() ?? []) total += z.size * 4;
  return total;
}

/** Drop the cache's reference to its least recently used buffers until at most `keepBytes` remain. */
function evictTo(sizes: Map<number, Tensor>, keepBytes: number): void {
  let total = 0;
  for (const z of sizes.values()) total += z.size * 4;
  for (const [n, z] of sizes) {
    if (total <= keepBytes) break;
    sizes.delete(n);
    total -= z.size * 4;
    z.dispose(); // frees the heap memory only if no live tensor shares it
  }
}

/** A float32 zero tensor of `shape` (one new backend reference on shared data when cached). */
export function zerosInfo(backend: BackendWasm, shape: number[]): TensorInfo {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_CACHED_ZERO_FLOATS || n * 4 > budgetBytes) {
    const out = allocate(backend, shape, true);
    markZero(out);
    return out;
  }
  let sizes = cache.get(backend);
  if (!sizes) cache.set(backend, (sizes = new Map()));
  let zeros = sizes.get(n);
  if (zeros) {
    sizes.delete(n); // re-inserted below as the most recently used
  } else {
    evictTo(sizes, budgetBytes - n * 4);
    const info = allocate(backend, [n], true);
    markZero(info);
    zeros = keep(engine().makeTensorFromTensorInfo(info, backend as unknown as KernelBackend));
  }
  sizes.set(n, zeros);
  backend.incRef(zeros.dataId);
  return { dataId: zeros.dataId, shape: [...shape], dtype: 'float32' };
}

/** Drop the cached zero buffers of a backend (tensors still using one keep it alive). */
export function releaseZeroCache(backend: BackendWasm): void {
  const sizes = cache.get(backend);
  if (!sizes) return;
  evictTo(sizes, 0);
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
