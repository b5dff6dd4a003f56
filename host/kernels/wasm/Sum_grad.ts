/**
 * Gradients of Sum and Mean without the full-size `ones` tensor tfjs builds in JavaScript for
 * them (every batch-norm layer in training mode takes moments, so each step filled and copied
 * activation-sized arrays of ones: about 15% of a MobileNet step). Same maths: dy broadcast back
 * over the reduced axes (for Mean divided by their size); broadcastTo runs as a Tile, which the
 * agekit Tile does at memcpy speed. On the WASM backend with agekit's kernels a zero dy (the
 * batch moments' backward after agekit's batch-norm gradient) gives shared zeros without any
 * pass (known-zeros.ts). Gradients are global in tfjs (every backend); elsewhere these use only
 * standard ops, so they are correct on all of them.
 */
import { backend as activeBackend, broadcastTo, cast, div, engine, getBackend, getKernel, reshape, util } from '@tensorflow/tfjs-core';
import { isAllZero, ZEROS } from './known-zeros.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';
import { Mean, Sum } from '@tensorflow/tfjs-core';
import type { GradConfig, MeanAttrs, NamedAttrMap, SumAttrs, Tensor } from '@tensorflow/tfjs-core';

function broadcastBack(dy: Tensor, x: Tensor, axis: number | number[]): { grad: Tensor } {
  const axes = util.parseAxisParam(axis, x.shape);
  const expanded = x.shape.slice();
  for (const a of axes) expanded[a] = 1;
  return { grad: broadcastTo(reshape(dy, expanded), x.shape) };
}

/** Shared zeros of x's shape when dy is all zeros on wasm with agekit's kernels, else undefined. */
function zerosIfZero(dy: Tensor, x: Tensor): Tensor | undefined {
  if (getBackend() !== 'wasm' || x.dtype !== 'float32' || !getKernel(ZEROS, 'wasm')) return undefined;
  if (!isAllZero(activeBackend() as unknown as BackendWasm, dy)) return undefined;
  return engine().runKernel(ZEROS, {}, { shape: x.shape }) as Tensor;
}

/** d(sum x)/dx = dy broadcast over the reduced axes. */
export const sumGradConfig: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const { axis } = attrs as unknown as SumAttrs;
    return { x: () => zerosIfZero(dy as Tensor, x) ?? cast(broadcastBack(dy as Tensor, x, axis).grad, 'float32') };
  },
};

/** d(mean x)/dx = dy broadcast over the reduced axes, divided by their size. */
export const meanGradConfig: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const { axis } = attrs as unknown as MeanAttrs;
    return {
      // Divided before broadcasting: the same quotient per element, on the reduced-size tensor
      // instead of a second full-size pass.
      x: () => {
        const zeros = zerosIfZero(dy as Tensor, x);
        if (zeros) return zeros;
        const axes = util.parseAxisParam(axis, x.shape);
        const reduceSize = axes.reduce((n, a) => n * x.shape[a], 1);
        return broadcastBack(div(cast(dy as Tensor, 'float32'), reduceSize), x, axis).grad;
      },
    };
  },
};
