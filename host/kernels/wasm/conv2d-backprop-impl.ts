/**
 * The maths of the dense convolution gradients on the WASM heap:
 * - filter gradient dW[kh,kw,ci,co] = sum over (n, oh, ow) of x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co];
 *   `fast`: the input patches as a matrix P [n*oh*ow, kh*kw*ci] (a reshape for 1x1 stride-1
 *   convolutions, else im2col written in place, rows padded to a multiple of 4), then P^T dy by
 *   the SIMD outer-product loop (outer-product-simd-module.ts) when co % 8 == 0 (and for 1x1,
 *   ci % 4 == 0), else one XNNPACK matrix product with the smaller operand transposed; `naive`: a strided slice of the padded input per tap and a transposed-A
 *   matrix product each.
 * - input gradient (replaces the slow loop kernel tfjs ships, only when asked): for 1x1 filters
 *   one XNNPACK matrix product dy * W^T (scattered to every stride-th pixel when strided);
 *   otherwise at stride 1 the XNNPACK Conv2D of dy with the filter flipped and its channel axes
 *   swapped and explicit padding; otherwise (stride > 1) one matrix product dy * W^T and col2im.
 *
 * Shapes: x, dx [batch, inHeight, inWidth, inChannels]; dy [batch, outHeight, outWidth,
 * outChannels]; filter [filterHeight, filterWidth, inChannels, outChannels].
 */
import { BatchMatMul, Conv2D, Reverse, Transpose } from '@tensorflow/tfjs-core';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { padForTaps, tapSlice } from './depthwise-conv2d-backprop-impl.ts';
import { allocate, backendMemory, floatView, heapAddress, release, reshapeInfo, runKernel, type BackendWasm } from './wasm-backend-calls.ts';
import { transpose2d } from './transpose-simd-module.ts';
import { outerProductSimdFor } from './outer-product-simd-module.ts';

type Conv2DInfo = backend_util.Conv2DInfo;

/** Largest im2col matrix built at once, in floats (64 MB); bigger batches go in chunks of images. */
export const IM2COL_MAX_FLOATS = 16 * 1024 * 1024;

function isPointwise(conv: Conv2DInfo): boolean {
  const p = conv.padInfo;
  return conv.filterHeight === 1 && conv.filterWidth === 1 && conv.strideHeight === 1 && conv.strideWidth === 1
    && p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0;
}

/**
 * Write the patches of images [n0, n1) of x into `out` as rows [(n,oh,ow), (kh,kw,ci)], zeros
 * where a tap falls in the padding. `rowStride` (default kh*kw*ci) may be larger: the extra
 * columns of each row are zeros (to round rows up to a multiple of 4 for SIMD).
 */
export function im2col(xv: Float32Array, out: Float32Array, conv: Conv2DInfo, n0: number, n1: number, rowStride?: number): void {
  const { inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = conv;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = conv;
  const { top, left } = conv.padInfo;
  const extra = (rowStride ?? kh * kw * ci) - kh * kw * ci;
  let p = 0;
  for (let n = n0; n < n1; n++) {
    const xImage = n * h * w * ci;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let i = 0; i < kh; i++) {
          const ih = y * sh - top + i * dh;
          for (let j = 0; j < kw; j++) {
            const iw = x * sw - left + j * dw;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
              out.fill(0, p, p + ci);
              p += ci;
              continue;
            }
            let q = xImage + (ih * w + iw) * ci;
            const end = p + ci;
            while (p < end) out[p++] = xv[q++];
          }
        }
        if (extra > 0) {
          out.fill(0, p, p + extra);
          p += extra;
        }
      }
    }
  }
}

/** P^T dy for P [rows, k] and dy [rows, co], transposing whichever operand is smaller. Returns [k, co]. */
function patchesTimesDy(backend: BackendWasm, patches: TensorInfo, dy2d: TensorInfo, k: number, co: number): TensorInfo {
  const rows = patches.shape[0];
  if (k <= co) {
    const pT = transpose2d(backend, patches);
    const a = reshapeInfo(backend, pT, [1, k, rows]);
    const b = reshapeInfo(backend, dy2d, [1, rows, co]);
    const out = runKernel(backend, BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
    release(backend, pT, a, b);
    return out;
  }
  const dyT = transpose2d(backend, dy2d);
  const a = reshapeInfo(backend, dyT, [1, co, rows]);
  const b = reshapeInfo(backend, patches, [1, rows, k]);
  const coByK = runKernel(backend, BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  const coByK2d = reshapeInfo(backend, coByK, [co, k]);
  const out = transpose2d(backend, coByK2d);
  release(backend, dyT, a, b, coByK, coByK2d);
  return out;
}

/** Whether the SIMD outer-product loop takes a [rows, k] by [rows, co] product. */
const outerProductApplies = (k: number, co: number) => k % 4 === 0 && co % 8 === 0;

/** Rows per cache chunk of the outer-product loop: both row slices within about 128 KB. */
const chunkRows = (k: number, co: number) => Math.max(8, Math.floor(32768 / (k + co)));

/** Fast dense filter gradient (any stride, padding and dilation). */
export function conv2dFilterGradFast(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const k = conv.filterHeight * conv.filterWidth * conv.inChannels;
  if (isPointwise(conv) && outerProductApplies(k, co)) {
    // x itself is the patch matrix [n*oh*ow, k]: one SIMD pass, no transpose, no packing.
    const out = allocate(backend, conv.filterShape, true);
    outerProductSimdFor(backendMemory(backend)).accumulate(heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, out), n * oh * ow, k, co, chunkRows(k, co));
    return out;
  }
  if (isPointwise(conv)) {
    const x2d = reshapeInfo(backend, x, [n * oh * ow, k]);
    const dy2d = reshapeInfo(backend, dy, [n * oh * ow, co]);
    const grad = patchesTimesDy(backend, x2d, dy2d, k, co);
    release(backend, x2d, dy2d);
    const out = reshapeInfo(backend, grad, conv.filterShape);
    release(backend, grad);
    return out;
  }
  if (co % 8 === 0) return conv2dFilterGradIm2colSimd(backend, x, dy, conv);
  const perImage = oh * ow * k;
  const chunk = Math.max(1, Math.min(n, Math.floor(IM2COL_MAX_FLOATS / perImage)));
  let out: TensorInfo | undefined;
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const n1 = Math.min(n, n0 + chunk);
    const rows = (n1 - n0) * oh * ow;
    const patches = allocate(backend, [rows, k]);
    im2col(floatView(backend, x), floatView(backend, patches), conv, n0, n1);
    const dyAll = reshapeInfo(backend, dy, [n * oh * ow, co]);
    let dyPart = dyAll;
    if (n1 - n0 !== n) {
      dyPart = allocate(backend, [rows, co]);
      floatView(backend, dyPart).set(floatView(backend, dyAll).subarray(n0 * oh * ow * co, n1 * oh * ow * co));
      release(backend, dyAll);
    }
    const grad = patchesTimesDy(backend, patches, dyPart, k, co);
    release(backend, patches, dyPart);
    if (!out) {
      out = reshapeInfo(backend, grad, conv.filterShape);
    } else {
      const acc = floatView(backend, out);
      const g = floatView(backend, grad);
      for (let i = 0; i < acc.length; i++) acc[i] += g[i];
    }
    release(backend, grad);
  }
  return out as TensorInfo;
}

/**
 * Filter gradient by im2col and the SIMD outer-product loop (co a multiple of 8): patch rows
 * padded with zero columns to a multiple of 4 (a 3x3 filter on RGB has 27 taps), dy read in
 * place, images in chunks; the padded rows of the result are dropped.
 */
function conv2dFilterGradIm2colSimd(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const k = conv.filterHeight * conv.filterWidth * conv.inChannels;
  const kPad = Math.ceil(k / 4) * 4;
  const chunk = Math.max(1, Math.min(n, Math.floor(IM2COL_MAX_FLOATS / (oh * ow * kPad))));
  const acc = allocate(backend, [kPad, co], true);
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const n1 = Math.min(n, n0 + chunk);
    const rows = (n1 - n0) * oh * ow;
    const patches = allocate(backend, [rows, kPad]);
    im2col(floatView(backend, x), floatView(backend, patches), conv, n0, n1, kPad);
    const dyAt = heapAddress(backend, dy) + n0 * oh * ow * co * 4;
    outerProductSimdFor(backendMemory(backend)).accumulate(heapAddress(backend, patches), dyAt, heapAddress(backend, acc), rows, kPad, co, chunkRows(kPad, co));
    release(backend, patches);
  }
  if (kPad === k) {
    const out = reshapeInfo(backend, acc, conv.filterShape);
    release(backend, acc);
    return out;
  }
  const out = allocate(backend, conv.filterShape);
  floatView(backend, out).set(floatView(backend, acc).subarray(0, k * co));
  release(backend, acc);
  return out;
}

/** Naive dense filter gradient: per tap, a strided slice of padded x and a transposed-A matrix product. */
export function conv2dFilterGradNaive(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = conv;
  const rows = n * oh * ow;
  const xPadded = padForTaps(backend, x, conv);
  const dy3 = reshapeInfo(backend, dy, [1, rows, co]);
  const out = allocate(backend, conv.filterShape);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const slice = tapSlice(backend, xPadded, conv, i, j);
      const a = reshapeInfo(backend, slice, [1, rows, ci]);
      const tapGrad = runKernel(backend, BatchMatMul, { a, b: dy3 }, { transposeA: true, transposeB: false });
      floatView(backend, out).set(floatView(backend, tapGrad), (i * kw + j) * ci * co);
      release(backend, slice, a, tapGrad);
    }
  }
  release(backend, xPadded, dy3);
  return out;
}

/** Fast dense input gradient; see the file comment. */
export function conv2dInputGradFast(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = conv;
  const padTop = (kh - 1) * dh - conv.padInfo.top;
  const padLeft = (kw - 1) * dw - conv.padInfo.left;
  if (kh === 1 && kw === 1) {
    // 1x1: dy [rows, co] * W^T [co, ci] as one XNNPACK matrix product (W^T is small). Measured
    // 1.5-8x faster than XNNPACK's Conv2D with the swapped filter for MobileNet's shapes. With
    // stride or padding the product lands on every stride-th input pixel, zeros elsewhere.
    const ci = conv.inChannels;
    const w2d = reshapeInfo(backend, filter, [ci, co]);
    const wT = runKernel(backend, Transpose, { x: w2d }, { perm: [1, 0] });
    const b = reshapeInfo(backend, wT, [1, co, ci]);
    const a = reshapeInfo(backend, dy, [1, n * oh * ow, co]);
    const prod = runKernel(backend, BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
    release(backend, w2d, wT, b, a);
    if (sh === 1 && sw === 1 && padTop === 0 && padLeft === 0 && oh === h && ow === w) {
      const out = reshapeInfo(backend, prod, conv.inShape);
      release(backend, prod);
      return out;
    }
    const out = allocate(backend, conv.inShape, true);
    const pv = floatView(backend, prod);
    const ov = floatView(backend, out);
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const iy = y * sh - conv.padInfo.top;
        if (iy < 0 || iy >= h) continue;
        for (let x = 0; x < ow; x++) {
          const ix = x * sw - conv.padInfo.left;
          if (ix < 0 || ix >= w) continue;
          const src = ((b * oh + y) * ow + x) * ci;
          ov.set(pv.subarray(src, src + ci), ((b * h + iy) * w + ix) * ci);
        }
      }
    }
    release(backend, prod);
    return out;
  }
  const flipped = runKernel(backend, Reverse, { x: filter }, { dims: [0, 1] });
  const swapped = runKernel(backend, Transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
  release(backend, flipped);
  if (sh === 1 && sw === 1) {
    // Stride 1: a full convolution of dy itself, the padding given explicitly.
    const padBottom = h - oh + conv.padInfo.top;
    const padRight = w - ow + conv.padInfo.left;
    if (padTop >= 0 && padLeft >= 0 && padBottom >= 0 && padRight >= 0) {
      const out = runKernel(backend, Conv2D, { x: dy, filter: swapped }, {
        strides: [1, 1], pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]], dataFormat: 'NHWC', dilations: [dh, dw],
      });
      release(backend, swapped);
      return out;
    }
  }
  release(backend, swapped);
  return conv2dInputGradCol2im(backend, dy, filter, conv);
}

/**
 * dx for strided convolutions: the patch gradients dy * W^T [rows, kh*kw*ci] by one XNNPACK
 * matrix product (no work on the zeros a stride-spread dy would hold), then col2im: each patch
 * row added onto the input pixels its taps cover. Chunked by images like im2col.
 */
export function conv2dInputGradCol2im(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = conv;
  const { top, left } = conv.padInfo;
  const k = kh * kw * ci;
  const w2d = reshapeInfo(backend, filter, [k, co]);
  const wT = runKernel(backend, Transpose, { x: w2d }, { perm: [1, 0] });
  const b = reshapeInfo(backend, wT, [1, co, k]);
  release(backend, w2d, wT);
  const out = allocate(backend, conv.inShape, true);
  const chunk = Math.max(1, Math.min(n, Math.floor(IM2COL_MAX_FLOATS / (oh * ow * k))));
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const n1 = Math.min(n, n0 + chunk);
    const rows = (n1 - n0) * oh * ow;
    let a: TensorInfo;
    if (n1 - n0 === n) {
      a = reshapeInfo(backend, dy, [1, rows, co]);
    } else {
      a = allocate(backend, [1, rows, co]);
      floatView(backend, a).set(floatView(backend, dy).subarray(n0 * oh * ow * co, n1 * oh * ow * co));
    }
    const cols = runKernel(backend, BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
    release(backend, a);
    const cv = floatView(backend, cols);
    const dx = floatView(backend, out);
    let p = 0;
    for (let img = n0; img < n1; img++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          for (let i = 0; i < kh; i++) {
            const ih = y * sh - top + i * dh;
            for (let j = 0; j < kw; j++) {
              const iw = x * sw - left + j * dw;
              if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                p += ci;
                continue;
              }
              let q = ((img * h + ih) * w + iw) * ci;
              const end = p + ci;
              while (p < end) dx[q++] += cv[p++];
            }
          }
        }
      }
    }
    release(backend, cols);
  }
  release(backend, b);
  return out;
}
