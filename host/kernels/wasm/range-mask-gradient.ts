/**
 * One-pass gradients for ReLU, ReLU6 and ClipByValue on the WASM backend. Each passes dy through
 * where the saved input lies in the activation's linear range and gives 0 elsewhere:
 *   ReLU:        0 <  x          (tfjs: Step, Cast, Multiply)
 *   ReLU6:       0 <  x <= 6     (tfjs: LessEqual, Step, Multiply, Cast, Multiply)
 *   ClipByValue: lo <= x <= hi   (tfjs: GreaterEqual, LessEqual, LogicalAnd, ZerosLike, Select)
 * tfjs-layers' ReLU layer with maxValue (MobileNet's ReLU6) is Relu then ClipByValue, so a
 * MobileNetV2 step ran those seven kernels per activation: about a quarter of the step.
 * The kernel `AgekitRangeMaskGrad` does it in one SIMD pass. Gradients are global in tfjs, so
 * the gradient functions use the kernel only when the wasm backend is active and has it, and
 * tfjs's maths in standard ops everywhere else.
 */
import { cast, ClipByValue, engine, getBackend, getKernel, greaterEqual, lessEqual, logicalAnd, mul, Relu, Relu6, step, where, zerosLike } from '@tensorflow/tfjs-core';
import type { ClipByValueAttrs, GradConfig, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { channelSimdFor, f32Bits } from './channel-simd-module.ts';
import { backendMemory, floatView, heapAddress, type BackendWasm } from './wasm-backend-calls.ts';

/** Name of the agekit kernel: inputs {x, dy}, attrs {lo, hi, lowerInclusive}, output float32 like dy. */
export const RANGE_MASK_GRAD = 'AgekitRangeMaskGrad';

export interface RangeMaskAttrs {
  lo: number;
  hi: number;
  /**
   * true: lo <= x, dx selected as tfjs's ClipByValue gradient does (NaN x gives 0);
   * false: lo < x, dx = dy * mask as tfjs's ReLU/ReLU6 gradients do (NaN in x, or NaN/Inf dy
   * outside the range, gives NaN, so a diverging run shows).
   */
  lowerInclusive: boolean;
}

/** dx = dy where x in the range, else 0; x and dy float32 of the same shape. */
export const rangeMaskGradConfig: KernelConfig = {
  kernelName: RANGE_MASK_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { lo, hi, lowerInclusive } = attrs as unknown as RangeMaskAttrs;
    const b = backend as BackendWasm;
    if (x.shape.join() !== dy.shape.join()) throw new Error(`${RANGE_MASK_GRAD}: x [${x.shape}] and dy [${dy.shape}] differ`);
    const out = b.makeOutput([...dy.shape], 'float32');
    const n = dy.shape.reduce((a, c) => a * c, 1);
    const whole = n - (n % 4);
    const loop = channelSimdFor(backendMemory(b))[lowerInclusive ? 'maskGe' : 'maskGt'];
    loop(heapAddress(b, x), heapAddress(b, dy), heapAddress(b, out), whole * 4, f32Bits(lo), f32Bits(hi));
    if (whole < n) {
      const xv = floatView(b, x);
      const dv = floatView(b, dy);
      const ov = floatView(b, out);
      // Same semantics as the SIMD loops: ClipByValue selects, ReLU/ReLU6 multiply by the mask.
      for (let i = whole; i < n; i++) {
        const inside = (lowerInclusive ? xv[i] >= lo : xv[i] > lo) && xv[i] <= hi;
        ov[i] = lowerInclusive ? (inside ? dv[i] : 0) : dv[i] * (Number.isNaN(xv[i]) ? NaN : inside ? 1 : 0);
      }
    }
    return out;
  },
};

function wasmHasKernel(x: Tensor, dy: Tensor): boolean {
  return getBackend() === 'wasm' && x.dtype === 'float32' && dy.dtype === 'float32' && getKernel(RANGE_MASK_GRAD, 'wasm') !== undefined;
}

function rangeMask(x: Tensor, dy: Tensor, attrs: RangeMaskAttrs): Tensor {
  return engine().runKernel(RANGE_MASK_GRAD, { x, dy }, attrs as unknown as NamedAttrMap) as Tensor;
}

/** ReLU: dy * step(x). */
export const reluGradConfig: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = dy as Tensor;
    if (wasmHasKernel(x, g)) return { x: () => rangeMask(x, g, { lo: 0, hi: Infinity, lowerInclusive: false }) };
    return { x: () => mul(g, cast(step(x), 'float32')) };
  },
};

/** ReLU6: dy where 0 < x <= 6. */
export const relu6GradConfig: GradConfig = {
  kernelName: Relu6,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = dy as Tensor;
    if (wasmHasKernel(x, g)) return { x: () => rangeMask(x, g, { lo: 0, hi: 6, lowerInclusive: false }) };
    return { x: () => mul(g, cast(mul(lessEqual(x, 6), step(x)), 'float32')) };
  },
};

/** ClipByValue: dy where min <= x <= max. */
export const clipByValueGradConfig: GradConfig = {
  kernelName: ClipByValue,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const g = dy as Tensor;
    const { clipValueMin, clipValueMax } = attrs as unknown as ClipByValueAttrs;
    if (wasmHasKernel(x, g)) return { x: () => rangeMask(x, g, { lo: clipValueMin, hi: clipValueMax, lowerInclusive: true }) };
    return { x: () => where(logicalAnd(greaterEqual(x, clipValueMin), lessEqual(x, clipValueMax)), g, zerosLike(g)) };
  },
};
