/**
 * A zero-copy Cast for the tfjs WASM backend when the dtype does not change. tfjs's gradients
 * cast to float32 what already is float32 (Relu, Square, Sum and Mean gradients, about 220 calls
 * per MobileNet training step), and tfjs's WASM Cast copies the whole tensor each time. Tensor
 * data is immutable, so, as for Identity, the output shares the input's data and takes one more
 * backend reference. Real conversions go to tfjs's kernel. Replaces tfjs's kernel, so it is
 * installed only with `replaceExisting`.
 */
import { Cast } from '@tensorflow/tfjs-core';
import type { CastAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from './wasm-backend-calls.ts';

/** The Cast config, falling back to `tfjsCast` for every real conversion and for strings. */
export function createCastConfig(tfjsCast: KernelConfig): KernelConfig {
  return {
    kernelName: Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as { x: TensorInfo }).x;
      const { dtype } = args.attrs as unknown as CastAttrs;
      if (x.dtype !== dtype || dtype === 'string') return tfjsCast.kernelFunc(args);
      (args.backend as BackendWasm).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype };
    },
  };
}
