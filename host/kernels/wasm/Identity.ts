/**
 * A zero-copy Identity for the tfjs WASM backend. The tfjs engine clones (Identity) every tensor
 * a kernel saves for its gradient, and tfjs's WASM Identity copies the data: about 1,600 copies
 * of activations per MobileNet training step. Tensor data is immutable, so, as the CPU backend
 * does, the output shares the input's data and takes one more backend reference. Replaces tfjs's
 * kernel, so it is installed only with `replaceExisting`.
 */
import { Identity } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from './wasm-backend-calls.ts';

/** The Identity config, falling back to `tfjsIdentity` for string tensors (their bytes live outside the heap). */
export function createIdentityConfig(tfjsIdentity: KernelConfig): KernelConfig {
  return {
    kernelName: Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as { x: TensorInfo }).x;
      if (x.dtype === 'string') return tfjsIdentity.kernelFunc(args);
      (args.backend as BackendWasm).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
