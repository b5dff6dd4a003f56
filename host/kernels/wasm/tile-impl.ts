/**
 * The maths of a fast Tile on the WASM heap for the shapes gradients produce: a tensor whose
 * dimensions are all 1 except the first and the last ([1, 1, 1, C] from the batch-norm and Mean
 * gradients, [N, 1, 1, C] from global average pooling's), tiled into a full activation shape.
 * Each output block along the first axis is one input row repeated, written with doubling
 * copies (memcpy speed) instead of an element-by-element index computation.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { backendMemory, type BackendWasm } from './wasm-backend-calls.ts';

/** Whether {@link tileRowRepeat} handles this input: 4-byte dtype, all dimensions but the first and last are 1. */
export function tileRowRepeatApplies(x: TensorInfo, reps: number[]): boolean {
  const shape = x.shape;
  if (reps.length !== shape.length || shape.length === 0) return false;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return false;
  return shape.slice(1, -1).every((d) => d === 1);
}

/** Tile x (all dimensions 1 but the first and the last) by reps into a new output. */
export function tileRowRepeat(backend: BackendWasm, x: TensorInfo, reps: number[]): TensorInfo {
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const heap = new Uint32Array(backendMemory(backend).buffer);
  const src = backend.getMemoryOffset(x.dataId) >>> 2;
  const dst = backend.getMemoryOffset(out.dataId) >>> 2;
  const rank = x.shape.length;
  const rowIn = x.shape[rank - 1];
  // Rank 1: one block. Otherwise a block per output index on the first axis, holding input row
  // (index mod rows) repeated over every other axis.
  const rows = rank === 1 ? 1 : x.shape[0];
  const blocks = rank === 1 ? 1 : outShape[0];
  const block = total / blocks;
  for (let b = 0; b < blocks; b++) {
    const start = dst + b * block;
    heap.copyWithin(start, src + (b % rows) * rowIn, src + (b % rows) * rowIn + rowIn);
    let filled = rowIn;
    while (filled < block) {
      const n = Math.min(filled, block - filled);
      heap.copyWithin(start + filled, start, start + n);
      filled += n;
    }
  }
  return out;
}
