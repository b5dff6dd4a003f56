/**
 * A cheaper gradient for batch normalization in training. tfjs's own FusedBatchNorm gradient
 * tiles the per-channel 1/sqrt(var) to the full activation shape before multiplying; on the
 * WASM backend that Tile alone took ~30% of a mobilenet64 training step (tf.profile, batch 32).
 * This one computes the same five gradients with per-channel factors that broadcast, and shares
 * the two full-size reductions (sum dy, sum dy*(x-mean)) between them:
 *   dx = dy * r * s;  dmean = -r * s * sum(dy);  dvar = -r³/2 * s * sum(dy (x-m));
 *   dscale = r * sum(dy (x-m));  doffset = sum(dy);   with r = 1/sqrt(var + eps).
 * On the WASM backend with agekit's kernels registered (host/kernels/wasm/register.ts), the two
 * reductions are one SIMD pass (AgekitBatchNormGradSums) and dx is one batch norm of dy with
 * mean 0 (one SIMD pass), instead of six full-size tfjs kernels.
 * Only per-channel (rank-1) statistics take this path; anything else keeps tfjs's gradient.
 *
 * @example
 * registerBatchNormGradient(); // once before training; safe to call again
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD_SUMS, batchNormGradSumsApplies } from '../kernels/wasm/batch-norm-grad-sums.ts';

type GradConfig = ReturnType<typeof tf.getGradient>;
let original: GradConfig | undefined;

/** sum(dy) and sum(dy * (x - mean)) over every axis but the last. */
function gradSums(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (tf.getBackend() === 'wasm' && tf.getKernel(BATCH_NORM_GRAD_SUMS, 'wasm') && batchNormGradSumsApplies(dy, x, mean)) {
    return tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { dy, x, mean }, {}) as unknown as [tf.Tensor, tf.Tensor];
  }
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  return [tf.sum(dy, axes), tf.sum(tf.mul(dy, tf.sub(x, mean)), axes)];
}

/** Replace the FusedBatchNorm gradient (process-wide). Safe to repeat. @returns false if already registered */
export function registerBatchNormGradient(): boolean {
  if (original) return false;
  original = tf.getGradient(tf.FusedBatchNorm);
  const fallback = original;
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as tf.Tensor[];
      if (mean.rank !== 1 || x.shape[x.rank - 1] !== mean.shape[0]) return fallback!.gradFunc(dy, saved, attrs);
      const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
      const r = tf.rsqrt(tf.add(variance, eps));
      const s = scale ?? tf.scalar(1);
      // Computed once, here: the engine disposes what each gradient function returns, so the
      // functions below must each return a new tensor, never a shared one.
      const [sumDy, sumDyXm] = gradSums(dy as tf.Tensor, x, mean);
      return {
        // dy * s / sqrt(var + eps) is a batch norm of dy with mean 0 and offset 0.
        x: () => (x.rank === 4 && scale
          ? tf.batchNorm(dy as tf.Tensor4D, tf.zerosLike(mean), variance, undefined, scale, eps)
          : tf.mul(dy as tf.Tensor, tf.mul(r, s))),
        mean: () => tf.mul(sumDy, tf.neg(tf.mul(r, s))),
        variance: () => tf.mul(sumDyXm, tf.mul(tf.mul(tf.pow(r, 3), -0.5), s)),
        scale: () => tf.mul(sumDyXm, r),
        offset: () => tf.reshape(sumDy, mean.shape),
      };
    },
  });
  return true;
}

/** Put tfjs's own gradient back (tests compare the two). */
export function unregisterBatchNormGradient(): void {
  if (!original) return;
  tf.registerGradient(original);
  original = undefined;
}
