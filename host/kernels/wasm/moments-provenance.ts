/**
 * Which kernel produced a tensor's data, for the three kernels of tfjs's `moments` (Mean, Sub,
 * Square), so the batch-norm gradient can tell that its mean and variance are the batch moments
 * of its own input: mean = Mean(x) and variance = Mean(Square(Sub(x, mean))) over every axis but
 * the last. Then one kernel gives the complete input gradient, moments included, and the
 * moments' own backward (two broadcasts, a product, a sum, two full-size additions per layer)
 * receives zeros (known-zeros.ts). Tracking is by backend data id: Reshape, the engine's clones
 * (agekit's zero-copy Identity) and same-dtype Cast share data ids, so the chain survives them;
 * anything else simply breaks it and the gradient takes the general path.
 */
import { Square, Sub } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';

type DataId = object;
interface Producer { kind: 'mean' | 'sub' | 'square'; inputs: DataId[]; leadingAxes?: number }

// Weak: entries vanish with the data they describe.
const producers = new WeakMap<DataId, Producer>();

/** Note that `out` was computed by `kind` from `inputs` (Mean: over its first `leadingAxes` axes). */
export function recordProducer(out: TensorInfo, kind: Producer['kind'], inputs: TensorInfo[], leadingAxes?: number): void {
  producers.set(out.dataId, { kind, inputs: inputs.map((i) => i.dataId), leadingAxes });
}

/**
 * The longest chain of recorded producers behind `data` (0: none recorded), walked up to
 * `limit` links. For tests: the records must not chain across training steps, or each step's
 * data would keep the previous step's alive.
 */
export function producerChainDepth(data: { dataId: object }, limit = 10_000): number {
  const depth = (id: DataId, budget: number): number => {
    const p = producers.get(id);
    if (!p || budget <= 0) return 0;
    return 1 + Math.max(0, ...p.inputs.map((i) => depth(i, budget - 1)));
  };
  return depth(data.dataId, limit);
}

/**
 * True when mean = Mean(x) and variance = Mean(Square(Sub(x, mean))), both over all axes of x
 * but the last, as tfjs's `moments` computes them on the WASM backend with agekit's kernels.
 */
export function areBatchMoments(x: TensorInfo, mean: TensorInfo, variance: TensorInfo): boolean {
  const axes = x.shape.length - 1;
  const m = producers.get(mean.dataId);
  if (!m || m.kind !== 'mean' || m.leadingAxes !== axes || m.inputs[0] !== x.dataId) return false;
  const v = producers.get(variance.dataId);
  if (!v || v.kind !== 'mean' || v.leadingAxes !== axes) return false;
  const sq = producers.get(v.inputs[0]);
  if (!sq || sq.kind !== 'square') return false;
  const d = producers.get(sq.inputs[0]);
  return !!d && d.kind === 'sub' && d.inputs[0] === x.dataId && d.inputs[1] === mean.dataId;
}

/** tfjs's Square kernel, recording Square(x - mean) (the moments' Square). */
export function createSquareConfig(tfjsSquare: KernelConfig): KernelConfig {
  return {
    kernelName: Square,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const out = tfjsSquare.kernelFunc(args) as TensorInfo;
      const { x } = args.inputs as { x: TensorInfo };
      // Only the moments' Square(x - mean) matters; recording others would only hold data alive.
      if (producers.get(x.dataId)?.kind === 'sub') recordProducer(out, 'square', [x]);
      return out;
    },
  };
}

/** tfjs's Sub kernel, recording x - mean when mean was recorded as a Mean. */
export function createSubConfig(tfjsSub: KernelConfig): KernelConfig {
  return {
    kernelName: Sub,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const out = tfjsSub.kernelFunc(args) as TensorInfo;
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      // Only x - mean(x) matters. Recording every Sub would chain tfjs-layers' batch-norm moving
      // statistics, written each step as Sub(previous, delta): each step's data would keep the
      // previous step's alive for the whole training.
      if (producers.get(b.dataId)?.kind === 'mean') recordProducer(out, 'sub', [a, b]);
      return out;
    },
  };
}
