/**
 * Distillation targets: the TargetProvider that trains a student on a teacher's labels (read
 * from each sample's `teacherAge` / `teacherDist`, computed once by relabel), mixed with the
 * ground truth where a sample has it. Per sample, the loss is
 *   a * L_teacher + (1 - a) * L_truth   when both exist,
 *   L_teacher (or L_truth)              when only one does,
 * with L = squared error for the `regression` head, and for the `dex` head cross-entropy
 * against the teacher's distribution softened by T (student softened alike, scaled by T²,
 * as in Hinton et al.) and against the true age (one-hot, or Gaussian with labelSigma).
 *
 * @example
 * const targets = distillTargets({ head: 'dex', alpha: 0.5, temperature: 2 });
 * await trainRun({ ..., targets });
 */
import * as tf from '@tensorflow/tfjs';
import { DataError, UsageError } from '../../core/errors.ts';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import type { Sample } from '../data/dataset.ts';
import { DEX_BINS, LOG_EPSILON, ageDistributions, type TargetProvider } from '../train/targets.ts';

export interface DistillTargetOptions {
  head: HeadType;
  /** Weight of the teacher's targets, 0..1: 1 = teacher only, 0 = ground truth only. */
  alpha: number;
  /** Softening temperature of the dex distributions, >= 1 is usual. Default 1. */
  temperature?: number;
  /** Dex head: standard deviation (years) of the Gaussian around the true age; 0 = one-hot (as dexTargets). Default 0. */
  labelSigma?: number;
  /** Age of bin 0 of the teacher's distributions. Default 0. */
  teacherFirstAge?: number;
  /** Recorded in config.json: where the teacher labels came from. */
  source?: string;
}

/**
 * A teacher distribution over `firstAge + k` mapped onto the student's 0..bins-1 bins (mass
 * beyond either end goes to the end bin), softened by temperature T: p^(1/T), renormalized.
 */
export function teacherDistToBins(dist: ArrayLike<number>, firstAge: number, temperature: number, bins = DEX_BINS, out = new Float32Array(bins)): Float32Array {
  out.fill(0);
  for (let k = 0; k < dist.length; k++) {
    const age = Math.min(bins - 1, Math.max(0, Math.round(firstAge + k)));
    out[age] += Math.max(0, dist[k]);
  }
  let sum = 0;
  for (let j = 0; j < bins; j++) sum += (out[j] = out[j] > 0 ? Math.pow(out[j], 1 / temperature) : 0);
  if (sum > 0) for (let j = 0; j < bins; j++) out[j] /= sum;
  return out;
}

/** A distribution whose expected value is `age` exactly: the mass split between the two nearest bins. */
export function interpolatedAgeDist(age: number, bins = DEX_BINS, out = new Float32Array(bins)): Float32Array {
  out.fill(0);
  const a = Math.min(bins - 1, Math.max(0, age));
  const lo = Math.floor(a), hi = Math.min(bins - 1, lo + 1);
  out[lo] += 1 - (a - lo);
  out[hi] += a - lo;
  return out;
}

/** Per-sample loss weights of teacher and truth targets: (a, 1-a) with both, (1, 0) or (0, 1) with one. */
export function mixWeights(samples: Sample[], alpha: number): { teacher: Float32Array; truth: Float32Array } {
  const teacher = new Float32Array(samples.length), truth = new Float32Array(samples.length);
  samples.forEach((s, i) => {
    const hasT = s.teacherAge !== undefined && Number.isFinite(s.teacherAge);
    const hasG = s.age !== undefined && Number.isFinite(s.age);
    if (alpha > 0 && !hasT) {
      if (!hasG) throw new DataError('training sample has neither a teacher label nor an age', { where: s.path, hint: 'relabel the training set with agekit relabel, or use labelled data' });
      throw new DataError('training sample has no teacher label', { where: s.path, hint: 'relabel this dataset (agekit relabel) or pass --teacher <name> to label it before training' });
    }
    if (hasT && hasG) { teacher[i] = alpha; truth[i] = 1 - alpha; } else if (hasT) teacher[i] = 1; else if (hasG) truth[i] = 1;
    else throw new DataError('training sample has no age', { where: s.path, hint: 'use labelled data or a teacher' });
  });
  return { teacher, truth };
}

/** The distillation TargetProvider of a head. */
export function distillTargets(options: DistillTargetOptions): TargetProvider {
  const { head, alpha } = options;
  const T = options.temperature ?? 1;
  const firstAge = options.teacherFirstAge ?? 0;
  const sigma = options.labelSigma ?? 0;
  if (!(alpha >= 0 && alpha <= 1)) throw new UsageError(`alpha must be in 0..1 (got ${alpha})`, { where: '--distill-alpha' });
  if (!(T > 0)) throw new UsageError(`temperature must be > 0 (got ${T})`, { where: '--temperature' });
  const id = `distill-${head}`;
  const describe = () => ({
    loss: head === 'dex' ? 'cross-entropy (teacher: softened by T, scaled by T²)' : 'mse', target: 'teacher and true age', alpha, temperature: T,
    ...(head === 'dex' && sigma > 0 ? { trueAge: `gaussian label distribution, sigma ${sigma}` } : {}),
    ...(options.source ? { teacher: options.source } : {}),
  });

  if (head === 'regression') {
    return {
      id, needsAges: false, describe,
      makeTargets(batch) {
        const samples = batch.samples.slice(0, batch.n);
        const w = mixWeights(samples, alpha);
        return {
          teacherAge: tf.tensor1d(Float32Array.from(samples, (s) => s.teacherAge ?? 0)),
          trueAge: tf.tensor1d(Float32Array.from(samples, (s) => s.age ?? 0)),
          wTeacher: tf.tensor1d(w.teacher), wTruth: tf.tensor1d(w.truth),
        };
      },
      loss(output, t) {
        const y = tf.reshape(output, [-1]);
        const lt = tf.mul(t.wTeacher, tf.square(tf.sub(y, t.teacherAge)));
        const lg = tf.mul(t.wTruth, tf.square(tf.sub(y, t.trueAge)));
        return tf.mean(tf.add(lt, lg)) as tf.Scalar;
      },
    };
  }

  return {
    id, needsAges: false, describe,
    makeTargets(batch) {
      const samples = batch.samples.slice(0, batch.n);
      const n = samples.length;
      const w = mixWeights(samples, alpha);
      const teacher = new Float32Array(n * DEX_BINS);
      samples.forEach((s, i) => {
        const row = teacher.subarray(i * DEX_BINS, (i + 1) * DEX_BINS);
        if (s.teacherDist) teacherDistToBins(s.teacherDist, firstAge, T, DEX_BINS, row);
        else if (s.teacherAge !== undefined) interpolatedAgeDist(s.teacherAge, DEX_BINS, row);
      });
      const truth = ageDistributions(Float32Array.from(samples, (s) => s.age ?? 0), DEX_BINS, sigma);
      return {
        teacherDist: tf.tensor2d(teacher, [n, DEX_BINS]), trueDist: tf.tensor2d(truth, [n, DEX_BINS]),
        wTeacher: tf.tensor1d(w.teacher), wTruth: tf.tensor1d(w.truth),
      };
    },
    loss(output, t) {
      const logq = tf.log(tf.clipByValue(output, LOG_EPSILON, 1));
      // The student's distribution softened alike: log softmax(log q / T).
      const logqT = T === 1 ? logq : tf.logSoftmax(tf.div(logq, T));
      const ceTeacher = tf.neg(tf.sum(tf.mul(t.teacherDist, logqT), -1));
      const ceTruth = tf.neg(tf.sum(tf.mul(t.trueDist, logq), -1));
      return tf.mean(tf.add(tf.mul(t.wTeacher, tf.mul(ceTeacher, T * T)), tf.mul(t.wTruth, ceTruth))) as tf.Scalar;
    },
  };
}
