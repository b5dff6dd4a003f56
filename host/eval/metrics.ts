/**
 * Age-estimation metrics, pure functions over predicted and true ages. The signed error is
 * prediction minus truth: positive means the model says older than the person is.
 *
 * @example
 * const m = ageMetrics(Float32Array.of(30, 41), Float32Array.of(32, 40));
 * // m.mae 1.5, m.mse 2.5, m.bias -0.5, m.byDecade [{ decade: '30-39', n: 1, ... }, ...]
 */
import { DataError } from '../../core/errors.ts';

/** Error statistics of the samples whose true age falls in one decade. */
export interface DecadeMetrics {
  /** `0-9`, `10-19`, ..., `90-99`, and `100+` for the last (open) decade. */
  decade: string;
  /** First age of the decade (0, 10, ...). */
  from: number;
  n: number;
  mae: number;
  /** Mean signed error (prediction - truth) in this decade. */
  bias: number;
}

export interface AgeMetrics {
  n: number;
  /** Mean absolute error, years. */
  mae: number;
  /** Mean squared error, years². */
  mse: number;
  /** Mean signed error (prediction - truth), years. */
  bias: number;
  /** Per decade of the true age, only decades that have samples, in age order. */
  byDecade: DecadeMetrics[];
  /** For t = 1..10 years: the share (0..1) of samples with |error| >= t. */
  shareAbsErrorAtLeast: { years: number; share: number }[];
}

/** Decades at and above this age are pooled (`100+`). */
export const OPEN_DECADE_FROM = 100;
/** Thresholds (years) of {@link AgeMetrics.shareAbsErrorAtLeast}. */
export const ERROR_THRESHOLDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

/** The decade index of an age: 0 for 0-9, ..., 10 for 100 and above. */
export function decadeOf(age: number): number {
  return Math.min(Math.floor(Math.max(0, age) / 10), OPEN_DECADE_FROM / 10);
}

function decadeLabel(k: number): string {
  return k * 10 >= OPEN_DECADE_FROM ? `${OPEN_DECADE_FROM}+` : `${k * 10}-${k * 10 + 9}`;
}

/** Mean absolute error between two equally long arrays. */
export function meanAbsoluteError(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  return ageMetrics(pred, truth).mae;
}

/**
 * All metrics of a set of predictions. Both arrays hold one age per sample, in the same order.
 * A NaN in either array is an error (an unlabelled sample must not count as a perfect one).
 */
export function ageMetrics(pred: ArrayLike<number>, truth: ArrayLike<number>): AgeMetrics {
  if (pred.length !== truth.length) {
    throw new DataError(`${pred.length} predictions for ${truth.length} true ages`, { where: 'ageMetrics', hint: 'pass one prediction per sample' });
  }
  const n = pred.length;
  let abs = 0, sq = 0, signed = 0;
  const perDecade = new Map<number, { n: number; abs: number; signed: number }>();
  const atLeast = ERROR_THRESHOLDS.map(() => 0);
  for (let i = 0; i < n; i++) {
    const p = pred[i], t = truth[i];
    if (!Number.isFinite(p) || !Number.isFinite(t)) {
      throw new DataError(`sample ${i} has prediction ${p} and true age ${t}`, { where: 'ageMetrics', hint: 'metrics need a finite prediction and a label for every sample' });
    }
    const e = p - t, a = Math.abs(e);
    abs += a; sq += e * e; signed += e;
    const k = decadeOf(t);
    const d = perDecade.get(k) ?? { n: 0, abs: 0, signed: 0 };
    d.n++; d.abs += a; d.signed += e;
    perDecade.set(k, d);
    for (let j = 0; j < ERROR_THRESHOLDS.length; j++) if (a >= ERROR_THRESHOLDS[j]) atLeast[j]++;
  }
  const div = (x: number, m: number) => (m > 0 ? x / m : NaN);
  const byDecade = [...perDecade.entries()].sort((a, b) => a[0] - b[0]).map(([k, d]) => ({
    decade: decadeLabel(k), from: k * 10, n: d.n, mae: d.abs / d.n, bias: d.signed / d.n,
  }));
  return {
    n, mae: div(abs, n), mse: div(sq, n), bias: div(signed, n), byDecade,
    shareAbsErrorAtLeast: ERROR_THRESHOLDS.map((years, j) => ({ years, share: div(atLeast[j], n) })),
  };
}

/** The MAE of always predicting `constant` (e.g. the training mean: the baseline to beat). */
export function constantPredictionMae(constant: number, truth: ArrayLike<number>): number {
  let abs = 0;
  for (let i = 0; i < truth.length; i++) abs += Math.abs(constant - truth[i]);
  return truth.length > 0 ? abs / truth.length : NaN;
}

/** The metrics in the wire format of `agekit eval --json` (snake_case, as the issue fixes it). */
export function metricsToJson(m: AgeMetrics): Record<string, unknown> {
  return {
    n: m.n, mae: m.mae, mse: m.mse, bias: m.bias,
    by_decade: m.byDecade.map((d) => ({ decade: d.decade, from: d.from, n: d.n, mae: d.mae, bias: d.bias })),
    share_abs_error_at_least: Object.fromEntries(m.shareAbsErrorAtLeast.map((s) => [String(s.years), s.share])),
  };
}
