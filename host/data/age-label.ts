/**
 * Age labels as read from label files and file names: a number in 0..116 years (UTKFace's range),
 * real-valued so apparent ages (APPA-REAL) keep their decimals.
 *
 * @example
 * parseAge('34') // { age: 34 }
 * parseAge('abc') // { reason: 'non_numeric_age' }
 */
import { resolve } from 'node:path';
import { SKIP_REASONS, type SkipReason } from './skip-reasons.ts';
import { skip, type SkipTally } from './dataset.ts';

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

/**
 * The common start of a labelled row: a well-formed row with a path (resolved against `root`) and
 * a usable age; anything else is skipped and counted in `skipped`, and undefined is returned.
 */
export function readPathAndAge(
  row: { line: number; cells: string[] }, columns: number, col: Record<string, number>,
  root: string, file: string, skipped: SkipTally,
): { path: string; age: number } | undefined {
  if (row.cells.length !== columns || row.cells[col.path] === '') { skip(skipped, SKIP_REASONS.malformedRow, `${file}:${row.line}`); return undefined; }
  const path = resolve(root, row.cells[col.path]);
  const age = parseAge(row.cells[col.age]);
  if ('reason' in age) { skip(skipped, age.reason, path); return undefined; }
  return { path, age: age.age };
}
