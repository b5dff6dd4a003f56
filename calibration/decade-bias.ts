/**
 * Per-decade bias correction: the mean signed error (prediction - truth) of the pairs whose
 * PREDICTED age falls in each decade, because on the device only the prediction is known. The
 * device subtracts bias[floor(age / 10)] (last decade open-ended) via calibrateAge.
 *
 * @example
 * fitDecadeBias(Float32Array.of(5, 8, 25), Float32Array.of(3, 6, 30)); // bias [2, 0, -5]
 */
import { DataError } from '../core/errors.ts';
import type { AgeCalibration } from '../core/contract/model-metadata.ts';

export type DecadeBiasCalibration = Extract<AgeCalibration, { kind: 'decade_bias' }>;

/** Decades of predicted age covered: 0-9 ... 90-99 and 100+ (index 10). */
export const BIAS_DECADES = 11;

/**
 * Fit the bias per predicted decade. A decade with no pairs gets 0 (no correction), except that
 * decades above the highest predicted one are not stored (the last stored decade covers them).
 */
export function fitDecadeBias(pred: ArrayLike<number>, truth: ArrayLike<number>): DecadeBiasCalibration {
  if (pred.length !== truth.length || pred.length === 0) {
    throw new DataError(`cannot fit per-decade bias on ${pred.length} predictions and ${truth.length} true ages`, { where: 'fitDecadeBias', hint: 'pass one prediction per true age, at least one' });
  }
  const sum = new Array<number>(BIAS_DECADES).fill(0), n = new Array<number>(BIAS_DECADES).fill(0);
  let top = 0;
  for (let i = 0; i < pred.length; i++) {
    if (!Number.isFinite(pred[i]) || !Number.isFinite(truth[i])) throw new DataError(`pair ${i} has prediction ${pred[i]} and truth ${truth[i]}`, { where: 'fitDecadeBias', hint: 'every pair needs finite values' });
    const k = Math.min(BIAS_DECADES - 1, Math.max(0, Math.floor(pred[i] / 10)));
    sum[k] += pred[i] - truth[i]; n[k]++;
    top = Math.max(top, k);
  }
  const bias = sum.slice(0, top + 1).map((s, k) => (n[k] > 0 ? s / n[k] : 0));
  return { kind: 'decade_bias', bias, n: pred.length };
}
