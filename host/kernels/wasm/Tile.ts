/**
 * A faster Tile for the tfjs WASM backend, for the row-repeat tiling of the batch-norm gradient
 * (tile-impl.ts); every other tiling goes to the Tile kernel tfjs ships. It replaces tfjs's
 * kernel, so registerWasmTrainingKernels installs it only with `replaceExisting`.
 */
import { Tile } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { tileRowRepeat, tileRowRepeatApplies } from './tile-impl.ts';
import type { BackendWasm } from './wasm-backend-calls.ts';

/** The Tile config, falling back to `tfjsTile` (the kernel it replaces) outside the fast case. */
export function createTileConfig(tfjsTile: KernelConfig): KernelConfig {
  return {
    kernelName: Tile,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as { x: TensorInfo }).x;
      const { reps } = args.attrs as unknown as TileAttrs;
      if (!tileRowRepeatApplies(x, reps)) return tfjsTile.kernelFunc(args);
      return tileRowRepeat(args.backend as BackendWasm, x, reps);
    },
  };
}
