/**
 * The Adience age-group protocol: 8 groups, exact (top-1) and 1-off accuracy, and the confusion
 * matrix. A regression model is scored by mapping its age to the nearest group.
 *
 * @example
 * const { exact, oneOff } = groupAccuracy(predGroups, trueGroups);
 * const m = confusionMatrix(predGroups, trueGroups, ADIENCE_AGE_GROUPS.length);
 */
import { DataError } from '../../../core/errors.ts';

/** The 8 Adience age groups, [min, max] years inclusive, in class-index order 0..7. */
export const ADIENCE_AGE_GROUPS: readonly (readonly [number, number])[] = [
  [0, 2], [4, 6], [8, 12], [15, 20], [25, 32], [38, 43], [48, 53], [60, 100],
];

/** Labels of the groups as Adience writes them (`0-2`, ..., `60-100`). */
export const ADIENCE_GROUP_LABELS: readonly string[] = ADIENCE_AGE_GROUPS.map(([a, b]) => `${a}-${b}`);

/**
 * The group an age in years falls in. Ages in the gaps between groups (e.g. 3, 13, 33..37) go to
 * the group whose nearest bound is closer (ties go to the younger group); ages over 100 to 60-100.
 */
export function ageToAdienceGroup(age: number): number {
  let best = 0, bestDist = Infinity;
  for (let g = 0; g < ADIENCE_AGE_GROUPS.length; g++) {
    const [lo, hi] = ADIENCE_AGE_GROUPS[g];
    const d = age < lo ? lo - age : age > hi ? age - hi : 0;
    if (d < bestDist) { best = g; bestDist = d; }
  }
  return best;
}

/** Exact and 1-off accuracy, as fractions in 0..1, over n samples. */
export interface GroupAccuracy { n: number; exact: number; oneOff: number }

/**
 * Exact (top-1) and 1-off accuracy of class predictions: 1-off counts a prediction in the true
 * group or an adjacent one, as the seed's Adience evaluation does.
 */
export function groupAccuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): GroupAccuracy {
  checkPairs(pred, truth, 'groupAccuracy');
  let exact = 0, oneOff = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = Math.abs(pred[i] - truth[i]);
    if (d === 0) exact++;
    if (d <= 1) oneOff++;
  }
  return { n: pred.length, exact: exact / pred.length, oneOff: oneOff / pred.length };
}

/**
 * Confusion matrix, rows = true class, columns = predicted class (sklearn's layout).
 * @returns classes x classes counts
 */
export function confusionMatrix(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number[][] {
  checkPairs(pred, truth, 'confusionMatrix');
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < pred.length; i++) {
    const t = truth[i], p = pred[i];
    if (!Number.isInteger(t) || !Number.isInteger(p) || t < 0 || p < 0 || t >= classes || p >= classes) {
      throw new DataError(`class index out of 0..${classes - 1} at sample ${i} (true ${t}, predicted ${p})`, { where: 'confusionMatrix', hint: 'pass integer class indices' });
    }
    m[t][p]++;
  }
  return m;
}

/** Average of per-fold accuracies (each fold weighs the same, as in the five-fold protocol). */
export function averageFolds(folds: GroupAccuracy[]): GroupAccuracy {
  if (folds.length === 0) throw new DataError('no folds to average', { where: 'averageFolds' });
  return {
    n: folds.reduce((s, f) => s + f.n, 0),
    exact: folds.reduce((s, f) => s + f.exact, 0) / folds.length,
    oneOff: folds.reduce((s, f) => s + f.oneOff, 0) / folds.length,
  };
}

function checkPairs(pred: ArrayLike<number>, truth: ArrayLike<number>, where: string): void {
  if (pred.length !== truth.length) throw new DataError(`lengths differ (pred ${pred.length}, truth ${truth.length})`, { where, hint: 'pass one prediction per sample' });
  if (pred.length === 0) throw new DataError('no samples', { where, hint: 'evaluate on a non-empty dataset' });
}
