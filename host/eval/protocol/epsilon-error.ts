/**
 * The ChaLearn LAP 2016 (APPA-REAL) epsilon-error: a prediction is scored against the
 * distribution of the apparent-age votes, so an error on a face people disagree about costs less.
 *
 * @example
 * const e = epsilonError(predicted, apparentMean, apparentStd); // 0 (perfect) .. 1 (worst)
 */
import { DataError } from '../../../core/errors.ts';

/**
 * Epsilon-error of one prediction: 1 - exp(-(pred - mu)^2 / (2 sigma^2)).
 * A zero sigma is the limit of that formula: 0 when pred equals mu, else 1.
 */
export function epsilonErrorOne(pred: number, mu: number, sigma: number): number {
  const d = pred - mu;
  if (sigma === 0) return d === 0 ? 0 : 1;
  return 1 - Math.exp(-(d * d) / (2 * sigma * sigma));
}

/**
 * Mean epsilon-error over a set, in 0..1 (lower is better).
 * @param pred predicted ages, years
 * @param mu mean apparent age of each face, years
 * @param sigma standard deviation of the apparent-age votes of each face, years (>= 0)
 */
export function epsilonError(pred: ArrayLike<number>, mu: ArrayLike<number>, sigma: ArrayLike<number>): number {
  if (pred.length !== mu.length || pred.length !== sigma.length) {
    throw new DataError(`lengths differ (pred ${pred.length}, mu ${mu.length}, sigma ${sigma.length})`, { where: 'epsilonError', hint: 'pass one mean and one std per prediction' });
  }
  if (pred.length === 0) throw new DataError('no samples', { where: 'epsilonError', hint: 'evaluate on a dataset with apparent-age labels (appa:<root>)' });
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    if (!(sigma[i] >= 0)) throw new DataError(`sigma ${sigma[i]} at index ${i} is not a non-negative number`, { where: 'epsilonError', hint: 'the apparent-age std must be >= 0' });
    sum += epsilonErrorOne(pred[i], mu[i], sigma[i]);
  }
  return sum / pred.length;
}
