/**
 * A faster Mean for the tfjs WASM backend when the reduced axes lead (NHWC over batch and
 * pixels), falling back to tfjs's own kernel otherwise. Records what it computed for
 * moments-provenance.ts. Replaces tfjs's kernel, so it is
 * installed only with `replaceExisting`.
 */
import { Mean } from '@tensorflow/tfjs-core';
import type { KernelConfig, MeanAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { leadingAxesCount, reduceLeadingAxes } from './reduce-leading-axes-impl.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';
import { recordProducer } from './moments-provenance.ts';

/** The Mean config, falling back to `tfjsMean` (the kernel it replaces) outside the fast case. */
export function createMeanConfig(tfjsMean: KernelConfig): KernelConfig {
  return {
    kernelName: Mean,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as { x: TensorInfo }).x;
      const { axis, keepDims } = args.attrs as unknown as MeanAttrs;
      const k = leadingAxesCount(x, axis);
      if (k === 0) return tfjsMean.kernelFunc(args);
      const out = reduceLeadingAxes(args.backend as BackendWasm, x, k, keepDims, true);
      // For the batch-norm gradient: is this a batch mean? (moments-provenance.ts)
      recordProducer(out, 'mean', [x], k);
      return out;
    },
  };
}
