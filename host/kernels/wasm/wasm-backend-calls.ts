/**
 * How the agekit kernels use the tfjs WASM backend from inside a kernel: call its existing
 * kernels directly (no engine, no tape, no tidy), release intermediates, and read or write tensor
 * data in place on the WASM heap.
 *
 * Ownership rule: every TensorInfo a backend kernel returns holds one backend reference
 * (reshape-like kernels share the data and add a reference). Release each intermediate exactly
 * once with {@link release}; return the final output un-released: the engine wraps it in a
 * tensor and takes over that reference.
 *
 * @example
 * const t = runKernel(backend, Transpose, { x }, { perm: [1, 0] });
 * const y = runKernel(backend, BatchMatMul, { a: t, b }, { transposeA: false, transposeB: false });
 * release(backend, t);
 * return y;
 */
import { getKernel, Reshape } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

/** Run a kernel already registered for `wasm` on the given backend and return its output. */
export function runKernel(backend: BackendWasm, kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`agekit wasm kernels: kernel ${kernelName} is not registered for the wasm backend; load @tensorflow/tfjs-backend-wasm first`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(out) ? out[0] : out;
}

/** Drop one backend reference of each intermediate (frees the heap block when it was the last). */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A new float32 output on the heap (uninitialised unless `zero`). */
export function allocate(backend: BackendWasm, shape: number[], zero = false): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (zero) floatView(backend, out).fill(0);
  return out;
}

/**
 * A Float32Array over the tensor's heap bytes. Valid only until the next allocation (a heap
 * growth detaches it): take views after allocating.
 */
export function floatView(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Byte address of the tensor's data in the WASM memory. */
export function heapAddress(backend: BackendWasm, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}

/** The backend's linear memory, for agekit's own WASM modules to import. */
export function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const memory = (backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('agekit wasm kernels: the tfjs wasm module does not export its memory (asm.memory); tfjs-backend-wasm 4.22 is required');
  }
  return memory;
}

/** A view of the same data with another shape (shares data, adds a backend reference). */
export function reshapeInfo(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runKernel(backend, Reshape, { x }, { shape });
}
