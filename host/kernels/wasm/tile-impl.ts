/**
 * The maths of a fast Tile on the WASM heap for the case tfjs's batch-norm gradient produces:
 * a tensor whose dimensions are all 1 except the last, tiled into a full activation shape
 * ([1, 1, 1, C] by [N, H, W, 1]). The output is one row repeated, written with doubling
 * copies (memcpy speed) instead of an element-by-element index computation.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { backendMemory, type BackendWasm } from './wasm-backend-calls.ts';

/** Whether {@link tileRowRepeat} handles this input: 4-byte dtype, all dimensions but the last are 1. */
export function tileRowRepeatApplies(x: TensorInfo, reps: number[]): boolean {
  const shape = x.shape;
  if (reps.length !== shape.length || shape.length === 0) return false;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return false;
  return shape.slice(0, -1).every((d) => d === 1);
}

/** Tile x (all dimensions 1 but the last) by reps into a new output. */
export function tileRowRepeat(backend: BackendWasm, x: TensorInfo, reps: number[]): TensorInfo {
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  const heap = new Uint32Array(backendMemory(backend).buffer);
  const src = backend.getMemoryOffset(x.dataId) >>> 2;
  const dst = backend.getMemoryOffset(out.dataId) >>> 2;
  const rowIn = x.shape[x.shape.length - 1];
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  heap.copyWithin(dst, src, src + rowIn);
  let filled = rowIn;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    heap.copyWithin(dst + filled, dst, dst + n);
    filled += n;
  }
  return out;
}
