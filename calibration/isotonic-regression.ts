/**
 * Isotonic regression by pool-adjacent-violators (PAV): the non-decreasing function of the
 * predicted age that is closest (least squares) to the true ages. Returned as the knots of the
 * piecewise-linear AgeCalibration the device applies (constant outside the knots).
 *
 * @example
 * const cal = fitIsotonic(Float32Array.of(10, 20, 30), Float32Array.of(12, 11, 35));
 * // { kind: 'isotonic', x: [10, 20, 30], y: [11.5, 11.5, 35], n: 3 }: 12 then 11 decrease, so they pool to 11.5
 */
import { DataError } from '../core/errors.ts';
import type { AgeCalibration } from '../core/contract/model-metadata.ts';

export type IsotonicCalibration = Extract<AgeCalibration, { kind: 'isotonic' }>;

/**
 * Fit PAV on (prediction, truth) pairs. Equal predictions are pooled first (one knot per
 * distinct prediction); each final block of equal fitted value keeps its first and last
 * prediction as knots, so the stored curve is exact at every pair and linear between blocks.
 */
export function fitIsotonic(pred: ArrayLike<number>, truth: ArrayLike<number>): IsotonicCalibration {
  if (pred.length !== truth.length || pred.length === 0) {
    throw new DataError(`cannot fit isotonic regression on ${pred.length} predictions and ${truth.length} true ages`, { where: 'fitIsotonic', hint: 'pass one prediction per true age, at least one' });
  }
  const order = Array.from({ length: pred.length }, (_, i) => i).sort((a, b) => pred[a] - pred[b]);
  // Blocks: [xFirst, xLast, sum of truths, weight]; a stack merged while the means decrease.
  const xs: number[] = [], xe: number[] = [], sum: number[] = [], wt: number[] = [];
  for (const i of order) {
    const x = pred[i], y = truth[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new DataError(`pair ${i} has prediction ${x} and truth ${y}`, { where: 'fitIsotonic', hint: 'every pair needs finite values' });
    const top = xs.length - 1;
    if (top >= 0 && xe[top] === x) { sum[top] += y; wt[top]++; } else { xs.push(x); xe.push(x); sum.push(y); wt.push(1); }
    while (xs.length > 1) {
      const b = xs.length - 1, a = b - 1;
      if (sum[a] / wt[a] <= sum[b] / wt[b]) break;
      xe[a] = xe[b]; sum[a] += sum[b]; wt[a] += wt[b];
      xs.pop(); xe.pop(); sum.pop(); wt.pop();
    }
  }
  const x: number[] = [], y: number[] = [];
  for (let k = 0; k < xs.length; k++) {
    const v = sum[k] / wt[k];
    x.push(xs[k]); y.push(v);
    if (xe[k] !== xs[k]) { x.push(xe[k]); y.push(v); }
  }
  return { kind: 'isotonic', x, y, n: pred.length };
}
