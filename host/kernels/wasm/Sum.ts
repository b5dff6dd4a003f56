/**
 * A faster Sum for the tfjs WASM backend when the reduced axes lead (NHWC over batch and
 * pixels), falling back to tfjs's own kernel otherwise. Replaces tfjs's kernel, so it is
 * installed only with `replaceExisting`.
 */
import { Sum } from '@tensorflow/tfjs-core';
import type { KernelConfig, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { leadingAxesCount, reduceLeadingAxes } from './reduce-leading-axes-impl.ts';
import { allocate, type BackendWasm } from './wasm-backend-calls.ts';
import { isKnownZero, markZero } from './known-zeros.ts';

/** The Sum config, falling back to `tfjsSum` (the kernel it replaces) outside the fast case. */
export function createSumConfig(tfjsSum: KernelConfig): KernelConfig {
  return {
    kernelName: Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as { x: TensorInfo }).x;
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const k = leadingAxesCount(x, axis);
      if (k > 0 && isKnownZero(x)) {
        // A sum of known zeros (the moments' backward after agekit's batch-norm gradient): no read.
        const out = allocate(args.backend as BackendWasm, keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k), true);
        markZero(out);
        return out;
      }
      return k > 0 ? reduceLeadingAxes(args.backend as BackendWasm, x, k, keepDims, false) : tfjsSum.kernelFunc(args);
    },
  };
}
