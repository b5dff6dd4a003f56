/**
 * Multiply-adds of any tfjs model, measured by running it once at batch 1 under tf.profile and
 * counting the kernels that do multiply-adds (convolutions, depthwise convolutions, matrix
 * products) from their recorded shapes. It works for graph models (teachers) and layers models
 * alike, so `agekit compare` counts a teacher and a student by one rule — the convention of
 * `agekit nets`: elementwise ops, batch norm and pooling are not counted.
 *
 * @example
 * const macs = await profileMultiplyAdds(() => model.execute(tf.zeros([1, 224, 224, 3])) as tf.Tensor);
 */
import * as tf from '@tensorflow/tfjs';

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Multiply-adds of one kernel call, from its name and input/output shapes; 0 for other kernels. */
export function kernelMultiplyAdds(name: string, inputShapes: number[][], outputShapes: number[][]): number {
  const out = outputShapes[0];
  if (!out) return 0;
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      const f = inputShapes[1]; // [kh, kw, cin, cout]
      return f ? prod(out) * f[0] * f[1] * f[2] : 0;
    }
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D': {
      const f = inputShapes[1]; // [kh, kw, cin, multiplier]
      return f ? prod(out) * f[0] * f[1] : 0;
    }
    case 'BatchMatMul':
    case '_FusedMatMul':
    case 'MatMul': {
      const [a, b] = inputShapes;
      if (!a || !b) return 0;
      // For a [.., M, K] x [.., K, N] product (any transposes): |a| |b| / |out| = batch * K².
      const batch = prod(out.slice(0, -2));
      const k = Math.sqrt((prod(a) * prod(b)) / prod(out) / batch);
      return prod(out) * Math.round(k);
    }
    default:
      return 0;
  }
}

/**
 * Run `forward` once under the profiler and sum the multiply-adds of its kernels. `forward`
 * should run the model at batch 1 and dispose what it creates (or return it, to be disposed).
 */
export async function profileMultiplyAdds(forward: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<number> {
  const info = await tf.profile(async () => {
    tf.dispose(await forward());
  });
  let total = 0;
  for (const k of info.kernels) total += kernelMultiplyAdds(k.name, k.inputShapes as number[][], k.outputShapes as number[][]);
  return total;
}
