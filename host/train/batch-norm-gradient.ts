/**
 * A cheaper gradient for batch normalization in training. tfjs's own FusedBatchNorm gradient
 * tiles the per-channel 1/sqrt(var) to the full activation shape before multiplying; on the
 * WASM backend that Tile alone took ~30% of a mobilenet64 training step (tf.profile, batch 32).
 * This one computes the same five gradients with per-channel factors that broadcast, and shares
 * the two full-size reductions (sum dy, sum dy*(x-mean)) between them:
 *   dx = dy * r * s;  dmean = -r * s * sum(dy);  dvar = -r³/2 * s * sum(dy (x-m));
 *   dscale = r * sum(dy (x-m));  doffset = sum(dy);   with r = 1/sqrt(var + eps).
 * On the WASM backend with agekit's kernels registered (host/kernels/wasm/register.ts), all five
 * come from one kernel (AgekitBatchNormGrad: two SIMD passes) instead of six full-size tfjs
 * kernels and a dozen small ones; when mean and variance are the batch moments of x (training
 * mode), dx also includes the moments' part and their own backward gets zeros (no work).
 * Only per-channel (rank-1) statistics take this path; anything else keeps tfjs's gradient.
 *
 * @example
 * registerBatchNormGradient(); // once before training; safe to call again
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_GRAD, batchNormGradApplies } from '../kernels/wasm/batch-norm-grad.ts';
import { areBatchMoments } from '../kernels/wasm/moments-provenance.ts';

type GradConfig = ReturnType<typeof tf.getGradient>;
let original: GradConfig | undefined;

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
      const g = dy as tf.Tensor;
      if (tf.getBackend() === 'wasm' && tf.getKernel(BATCH_NORM_GRAD, 'wasm') && batchNormGradApplies(g, x, [mean, variance, scale ?? undefined])) {
        const inputs: tf.NamedTensorMap = scale ? { dy: g, x, mean, variance, scale } : { dy: g, x, mean, variance };
        // Batch moments of x (tfjs-layers in training): dx includes the moments' part and the
        // mean and variance get zeros, so their backward does no full-size work.
        const includeMoments = areBatchMoments(x, mean, variance);
        const [dx, dMean, dVariance, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_GRAD, inputs, { varianceEpsilon: eps, includeMoments }) as unknown as tf.Tensor[];
        return { x: () => dx, mean: () => dMean, variance: () => dVariance, scale: () => dScale, offset: () => dOffset };
      }
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const r = tf.rsqrt(tf.add(variance, eps));
      const s = scale ?? tf.scalar(1);
      // Computed once, here: the engine disposes what each gradient function returns, so the
      // functions below must each return a new tensor, never a shared one.
      const sumDy = tf.sum(g, axes);
      const sumDyXm = tf.sum(tf.mul(g, tf.sub(x, mean)), axes);
      return {
        x: () => tf.mul(g, tf.mul(r, s)),
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
