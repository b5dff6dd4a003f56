/** DepthwiseConv2dNativeBackpropInput for the tfjs WASM backend, which ships none (depthwise input gradient). */
import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropInputAttrs, DepthwiseConv2dNativeBackpropInputInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { depthwiseInputGradNaive, depthwiseInputGradSimd, depthwiseSimdApplies } from './depthwise-conv2d-backprop-impl.ts';
import { requireFloat32Nhwc, type KernelVariant } from './kernel-variant.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';

function kernelFunc(variant: KernelVariant): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as DepthwiseConv2dNativeBackpropInputInputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    requireFloat32Nhwc(DepthwiseConv2dNativeBackpropInput, { dy, filter });
    const conv = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true);
    const fast = variant === 'fast' && depthwiseSimdApplies(conv);
    return (fast ? depthwiseInputGradSimd : depthwiseInputGradNaive)(backend as BackendWasm, dy, filter, conv);
  };
}

/** Fast variant: one SIMD scatter pass of dy * w (multiplier 1, channels a multiple of 4; else naive). */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = { kernelName: DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: kernelFunc('fast') };
/** Naive variant: zero-dilated dy, flipped-filter depthwise convolution. */
export const depthwiseConv2dNativeBackpropInputNaiveConfig: KernelConfig = { kernelName: DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: kernelFunc('naive') };
