/** Conv2DBackpropFilter for the tfjs WASM backend, which ships none (dense convolution weight gradient). */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dFilterGradFast, conv2dFilterGradNaive } from './conv2d-backprop-impl.ts';
import { requireFloat32Nhwc, type KernelVariant } from './kernel-variant.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';

function kernelFunc(variant: KernelVariant): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as Conv2DBackpropFilterInputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    requireFloat32Nhwc(Conv2DBackpropFilter, { x, dy }, dataFormat);
    const conv = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false);
    const impl = variant === 'fast' ? conv2dFilterGradFast : conv2dFilterGradNaive;
    return impl(backend as BackendWasm, x, dy, conv);
  };
}

/** Fast variant: im2col (or a reshape for 1x1) and one XNNPACK matrix product. */
export const conv2DBackpropFilterConfig: KernelConfig = { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: kernelFunc('fast') };
/** Naive variant: a strided slice and a matrix product per filter tap. */
export const conv2DBackpropFilterNaiveConfig: KernelConfig = { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: kernelFunc('naive') };
