/**
 * Gradients of Sum and Mean without the full-size `ones` tensor tfjs builds in JavaScript for
 * them (every batch-norm layer in training mode takes moments, so each step filled and copied
 * activation-sized arrays of ones: about 15% of a MobileNet step). Same maths: dy broadcast back
 * over the reduced axes (for Mean divided by their size); broadcastTo runs as a Tile, which the
 * agekit Tile does at memcpy speed. Gradients are global in tfjs (every backend); these use only
 * standard ops, so they are correct on all of them.
 */
import { broadcastTo, cast, div, reshape, util } from '@tensorflow/tfjs-core';
import { Mean, Sum } from '@tensorflow/tfjs-core';
import type { GradConfig, MeanAttrs, NamedAttrMap, SumAttrs, Tensor } from '@tensorflow/tfjs-core';

function broadcastBack(dy: Tensor, x: Tensor, axis: number | number[]): { grad: Tensor } {
  const axes = util.parseAxisParam(axis, x.shape);
  const expanded = x.shape.slice();
  for (const a of axes) expanded[a] = 1;
  return { grad: broadcastTo(reshape(dy, expanded), x.shape) };
}

/** d(sum x)/dx = dy broadcast over the reduced axes. */
export const sumGradConfig: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const { axis } = attrs as unknown as SumAttrs;
    return { x: () => cast(broadcastBack(dy as Tensor, x, axis).grad, 'float32') };
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
        const axes = util.parseAxisParam(axis, x.shape);
        const reduceSize = axes.reduce((n, a) => n * x.shape[a], 1);
        return broadcastBack(div(cast(dy as Tensor, 'float32'), reduceSize), x, axis).grad;
      },
    };
  },
};
