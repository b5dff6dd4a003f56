/**
 * A faster Conv2DBackpropInput for the tfjs WASM backend. tfjs ships one (a scalar loop), so this
 * replaces it only when registerWasmTrainingKernels is told to (`replaceExisting`).
 */
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, Conv2DBackpropInputInputs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dInputGradFast } from './conv2d-backprop-impl.ts';
import { requireFloat32Nhwc } from './kernel-variant.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';

/** Matrix product for 1x1 stride 1, else XNNPACK Conv2D of the stride-spread dy with the flipped filter. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as Conv2DBackpropInputInputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    requireFloat32Nhwc(Conv2DBackpropInput, { dy, filter }, dataFormat);
    const conv = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false);
    return conv2dInputGradFast(backend as BackendWasm, dy, filter, conv);
  },
};
