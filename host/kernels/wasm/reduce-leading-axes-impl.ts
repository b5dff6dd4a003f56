/**
 * The maths of Sum and Mean over the leading axes of a float32 tensor (NHWC reduced over
 * [0, 1, 2]: what every batch-norm and bias gradient asks for). tfjs's WASM kernels transpose the
 * whole tensor to put those axes last before reducing; here it is one streaming SIMD pass.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { reductionSimdFor } from './reduction-simd-module.ts';
import { allocate, backendMemory, floatView, heapAddress, type BackendWasm } from './wasm-backend-calls.ts';

/** The number of leading axes `axis` reduces, or 0 when it is not a leading prefix short of all axes. */
export function leadingAxesCount(x: TensorInfo, axis: number | number[]): number {
  const rank = x.shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (x.dtype !== 'float32' || axes.length === 0 || axes.length >= rank) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

/** Sum (or mean) of x over its first `k` axes; keepDims keeps them as size 1. */
export function reduceLeadingAxes(backend: BackendWasm, x: TensorInfo, k: number, keepDims: boolean, mean: boolean): TensorInfo {
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(k);
  const cols = rest.reduce((a, b) => a * b, 1);
  const out = allocate(backend, keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, true);
  if (rows > 0 && cols > 0) {
    if (cols % 4 === 0) {
      reductionSimdFor(backendMemory(backend)).sumRows(heapAddress(backend, x), heapAddress(backend, out), rows, cols * 4);
    } else {
      const xv = floatView(backend, x);
      const ov = floatView(backend, out);
      for (let r = 0, p = 0; r < rows; r++) for (let c = 0; c < cols; c++) ov[c] += xv[p++];
    }
  }
  if (mean) {
    const ov = floatView(backend, out);
    for (let c = 0; c < cols; c++) ov[c] /= rows;
  }
  return out;
}
