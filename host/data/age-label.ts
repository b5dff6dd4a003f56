/**
 * Age labels as read from label files and file names: a number in 0..116 years (UTKFace's range),
 * real-valued so apparent ages (APPA-REAL) keep their decimals.
 *
 * @example
 * parseAge('34') // { age: 34 }
 * parseAge('abc') // { reason: 'non_numeric_age' }
 */
import { SKIP_REASONS, type SkipReason } from './skip-reasons.ts';

/** Youngest and oldest age kept, in years. */
export const MIN_AGE = 0;
export const MAX_AGE = 116;

/** Parse an age cell; a label outside {@link MIN_AGE}..{@link MAX_AGE} is a reason to skip. */
export function parseAge(raw: string | undefined): { age: number } | { reason: SkipReason } {
  const text = (raw ?? '').trim();
  // Number('') is 0 and Number('0x1f') is 31: accept only plain decimal notation.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return { reason: SKIP_REASONS.nonNumericAge };
  const age = Number(text);
  if (!Number.isFinite(age)) return { reason: SKIP_REASONS.nonNumericAge };
  if (age < MIN_AGE || age > MAX_AGE) return { reason: SKIP_REASONS.ageOutOfRange };
  return { age };
}
