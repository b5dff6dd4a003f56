/**
 * The Square gradient, dx = dy * 2x, in one SIMD pass on the WASM backend (kernel
 * `AgekitScaledProduct`: out = a * b * k for a and b of one shape). tfjs runs Cast, Multiply
 * and Multiply, two of them full-size; every batch-norm layer in training mode squares its
 * centred input for the variance, so that is 52 times per MobileNetV2 step. Gradients are
 * global in tfjs: the kernel is used only when the wasm backend is active and has it, tfjs's
 * maths in standard ops everywhere else.
 */
import { cast, engine, getBackend, getKernel, mul, Square } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { channelSimdFor, f32Bits } from './channel-simd-module.ts';
import { backendMemory, floatView, heapAddress, type BackendWasm } from './wasm-backend-calls.ts';
import { isKnownZero, ZEROS } from './known-zeros.ts';

export const SCALED_PRODUCT = 'AgekitScaledProduct';

/** out = a * b * k; a and b float32 of the same shape; attrs { k }. */
export const scaledProductConfig: KernelConfig = {
  kernelName: SCALED_PRODUCT,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { k } = attrs as unknown as { k: number };
    if (a.shape.join() !== b.shape.join()) throw new Error(`${SCALED_PRODUCT}: a [${a.shape}] and b [${b.shape}] differ`);
    const be = backend as BackendWasm;
    const out = be.makeOutput([...a.shape], 'float32');
    const n = a.shape.reduce((p, c) => p * c, 1);
    const whole = n - (n % 4);
    channelSimdFor(backendMemory(be)).scaledProduct(heapAddress(be, a), heapAddress(be, b), heapAddress(be, out), whole * 4, f32Bits(k));
    if (whole < n) {
      const av = floatView(be, a);
      const bv = floatView(be, b);
      const ov = floatView(be, out);
      for (let i = whole; i < n; i++) ov[i] = av[i] * bv[i] * k;
    }
    return out;
  },
};

/** d(x²)/dx = dy * 2x. */
export const squareGradConfig: GradConfig = {
  kernelName: Square,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = dy as Tensor;
    if (getBackend() === 'wasm' && x.dtype === 'float32' && g.dtype === 'float32' && x.shape.join() === g.shape.join() && getKernel(SCALED_PRODUCT, 'wasm')) {
      // Known zeros in (the moments' backward after agekit's batch-norm gradient): zeros out.
      if (isKnownZero(g) && getKernel(ZEROS, 'wasm')) return { x: () => engine().runKernel(ZEROS, {}, { shape: x.shape }) as Tensor };
      return { x: () => engine().runKernel(SCALED_PRODUCT, { a: g, b: x }, { k: 2 }) as Tensor };
    }
    return { x: () => mul(g, mul(cast(x, 'float32'), 2)) };
  },
};
