/**
 * The maths of the two depthwise-convolution gradients on the WASM heap, in two variants:
 * - `fast`: one pass of the SIMD tap loop (depthwise-simd-module.ts) over the data in place,
 *   for channel multiplier 1 and channels a multiple of 4 (every agekit MobileNet);
 * - `naive`: the first simple composition of existing tfjs WASM kernels (pad, a strided slice per
 *   filter tap, multiply, sum; zero-dilation and a flipped-filter depthwise convolution for the
 *   input gradient). It handles every case (any multiplier, channel count, dilation) and is the
 *   fallback of `fast` and the baseline of the benchmark.
 *
 * Shapes: x and dx [batch, inHeight, inWidth, channels]; dy [batch, outHeight, outWidth,
 * channels * multiplier]; filter [filterHeight, filterWidth, channels, multiplier].
 */
import { DepthwiseConv2dNative, Multiply, PadV2, Reverse, StridedSlice, Sum } from '@tensorflow/tfjs-core';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { depthwiseSimdFor } from './depthwise-simd-module.ts';
import { allocate, backendMemory, floatView, heapAddress, release, reshapeInfo, runKernel, type BackendWasm } from './wasm-backend-calls.ts';

type Conv2DInfo = backend_util.Conv2DInfo;

/** Whether the SIMD loop applies: multiplier 1 and channels a multiple of 4. */
export function depthwiseSimdApplies(conv: Conv2DInfo): boolean {
  return conv.outChannels === conv.inChannels && conv.inChannels % 4 === 0;
}

function simdArgs(conv: Conv2DInfo): number[] {
  return [
    conv.batchSize, conv.inHeight, conv.inWidth, conv.inChannels * 4, conv.outHeight, conv.outWidth,
    conv.filterHeight, conv.filterWidth, conv.strideHeight, conv.strideWidth, conv.padInfo.top, conv.padInfo.left,
    conv.dilationHeight, conv.dilationWidth,
  ];
}

/** dW = sum over images and output pixels of x(tap pixel) * dy, by the SIMD loop. */
export function depthwiseFilterGradSimd(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const out = allocate(backend, conv.filterShape, true);
  const [n, h, w, cb, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw] = simdArgs(conv);
  depthwiseSimdFor(backendMemory(backend)).depthwiseFilterGrad(
    heapAddress(backend, x), heapAddress(backend, out), heapAddress(backend, dy), n, h, w, cb, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw);
  return out;
}

/** dx = scatter of dy * w(tap) onto the tap pixels, by the SIMD loop. */
export function depthwiseInputGradSimd(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const out = allocate(backend, conv.inShape, true);
  const [n, h, w, cb, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw] = simdArgs(conv);
  depthwiseSimdFor(backendMemory(backend)).depthwiseInputGrad(
    heapAddress(backend, out), heapAddress(backend, filter), heapAddress(backend, dy), n, h, w, cb, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw);
  return out;
}

/**
 * x zero-padded so that every tap's strided window [kh*dH + oh*sH] lies inside it: top/left by
 * the convolution's padding, bottom/right as far as the last tap reaches.
 */
export function padForTaps(backend: BackendWasm, x: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const needH = (conv.filterHeight - 1) * conv.dilationHeight + (conv.outHeight - 1) * conv.strideHeight + 1;
  const needW = (conv.filterWidth - 1) * conv.dilationWidth + (conv.outWidth - 1) * conv.strideWidth + 1;
  const { top, left } = conv.padInfo;
  const bottom = Math.max(0, needH - conv.inHeight - top);
  const right = Math.max(0, needW - conv.inWidth - left);
  return runKernel(backend, PadV2, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
}

/** The input pixels tap (kh, kw) meets, [batch, outHeight, outWidth, channels]: one strided slice. */
export function tapSlice(backend: BackendWasm, xPadded: TensorInfo, conv: Conv2DInfo, kh: number, kw: number): TensorInfo {
  const h0 = kh * conv.dilationHeight;
  const w0 = kw * conv.dilationWidth;
  const c = xPadded.shape[3];
  return runKernel(backend, StridedSlice, { x: xPadded }, {
    begin: [0, h0, w0, 0],
    end: [conv.batchSize, h0 + (conv.outHeight - 1) * conv.strideHeight + 1, w0 + (conv.outWidth - 1) * conv.strideWidth + 1, c],
    strides: [1, conv.strideHeight, conv.strideWidth, 1],
    beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
  });
}

/** Naive depthwise filter gradient: per tap, slice x, multiply by dy, sum over batch and pixels. */
export function depthwiseFilterGradNaive(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const [kh, kw, c, m] = conv.filterShape;
  const dy5 = reshapeInfo(backend, dy, [conv.batchSize, conv.outHeight, conv.outWidth, c, m]);
  const xPadded = padForTaps(backend, x, conv);
  const out = allocate(backend, conv.filterShape);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const slice = tapSlice(backend, xPadded, conv, i, j);
      const slice5 = reshapeInfo(backend, slice, [...slice.shape, 1]);
      const product = runKernel(backend, Multiply, { a: slice5, b: dy5 });
      const tapGrad = runKernel(backend, Sum, { x: product }, { axis: [0, 1, 2], keepDims: false });
      floatView(backend, out).set(floatView(backend, tapGrad), (i * kw + j) * c * m);
      release(backend, slice, slice5, product, tapGrad);
    }
  }
  release(backend, dy5, xPadded);
  return out;
}

/**
 * Naive depthwise input gradient: dy dilated by the stride with zeros (reshape and pad), padded
 * so a stride-1 correlation with the flipped filter yields exactly [inHeight, inWidth], then
 * one DepthwiseConv2dNative per output channel group and a sum over the multiplier.
 */
export function depthwiseInputGradNaive(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, conv: Conv2DInfo): TensorInfo {
  const [kh, kw, c, m] = conv.filterShape;
  const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = conv;
  const padTop = (kh - 1) * dh - conv.padInfo.top;
  const padLeft = (kw - 1) * dw - conv.padInfo.left;
  const dilatedH = (oh - 1) * sh + 1;
  const dilatedW = (ow - 1) * sw + 1;
  const padBottom = conv.inHeight - dilatedH + conv.padInfo.top;
  const padRight = conv.inWidth - dilatedW + conv.padInfo.left;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    throw new Error(`DepthwiseConv2dNativeBackpropInput: padding ${JSON.stringify(conv.padInfo)} larger than the filter extent is not supported`);
  }
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  let spread = dy;
  if (sh > 1 || sw > 1) {
    // [n, oh, 1, ow, 1, cm] padded to [n, oh, sh, ow, sw, cm] then cut to the dilated extent.
    const six = keep(reshapeInfo(backend, dy, [n, oh, 1, ow, 1, c * m]));
    const padded = keep(runKernel(backend, PadV2, { x: six }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }));
    const four = keep(reshapeInfo(backend, padded, [n, oh * sh, ow * sw, c * m]));
    spread = keep(runKernel(backend, StridedSlice, { x: four }, {
      begin: [0, 0, 0, 0], end: [n, dilatedH, dilatedW, c * m], strides: [1, 1, 1, 1],
      beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    }));
  }
  const flipped = keep(runKernel(backend, Reverse, { x: filter }, { dims: [0, 1] }));
  const flatFilter = keep(reshapeInfo(backend, flipped, [kh, kw, c * m, 1]));
  const conv1 = runKernel(backend, DepthwiseConv2dNative, { x: spread, filter: flatFilter }, {
    strides: [1, 1], dilations: [dh, dw], pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]]
  });
  if (m === 1) {
    release(backend, ...temps);
    return conv1;
  }
  const grouped = keep(reshapeInfo(backend, conv1, [n, conv.inHeight, conv.inWidth, c, m]));
  temps.push(conv1);
  const out = runKernel(backend, Sum, { x: grouped }, { axis: [4], keepDims: false });
  release(backend, ...temps);
  return out;
}

