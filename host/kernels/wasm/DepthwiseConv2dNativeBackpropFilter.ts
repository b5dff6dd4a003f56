/** DepthwiseConv2dNativeBackpropFilter for the tfjs WASM backend, which ships none (depthwise weight gradient). */
import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, DepthwiseConv2dNativeBackpropFilterInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { depthwiseFilterGradNaive, depthwiseFilterGradSimd, depthwiseSimdApplies } from './depthwise-conv2d-backprop-impl.ts';
import { requireFloat32Nhwc, type KernelVariant } from './kernel-variant.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';

function kernelFunc(variant: KernelVariant): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as DepthwiseConv2dNativeBackpropFilterInputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    requireFloat32Nhwc(DepthwiseConv2dNativeBackpropFilter, { x, dy });
    const conv = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
    const fast = variant === 'fast' && depthwiseSimdApplies(conv);
    return (fast ? depthwiseFilterGradSimd : depthwiseFilterGradNaive)(backend as BackendWasm, x, dy, conv);
  };
}

/** Fast variant: one SIMD pass over x and dy (multiplier 1, channels a multiple of 4; else naive). */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = { kernelName: DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: kernelFunc('fast') };
/** Naive variant: per tap a strided slice, a multiply and a sum. */
export const depthwiseConv2dNativeBackpropFilterNaiveConfig: KernelConfig = { kernelName: DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: kernelFunc('naive') };
