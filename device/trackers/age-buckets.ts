/**
 * Age buckets for reporting and aggregates: a spec like `0-15,16-24,25-34,35-44,45-54,55-64,65+`
 * (the default: the set audience-measurement products for digital signage report) parsed once; an age falls in the bucket whose range holds its whole years.
 *
 * @example
 * const buckets = parseAgeBuckets('0-17,18-64,65+');
 * bucketOf(buckets, 34.7); // '18-64'
 */
import { UsageError } from '../../core/errors.ts';

export interface AgeBucket { label: string; min: number; max: number }

export const DEFAULT_AGE_BUCKETS = '0-15,16-24,25-34,35-44,45-54,55-64,65+';

/** Parse and check a bucket spec: ranges `a-b` or an open `a+`, increasing, without gaps or overlaps. */
export function parseAgeBuckets(spec: string = DEFAULT_AGE_BUCKETS, where = '--buckets'): AgeBucket[] {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const buckets = parts.map((p) => {
    let m = /^(\d+)-(\d+)$/.exec(p);
    if (m && Number(m[2]) >= Number(m[1])) return { label: p, min: Number(m[1]), max: Number(m[2]) };
    m = /^(\d+)\+$/.exec(p);
    if (m) return { label: p, min: Number(m[1]), max: Infinity };
    throw new UsageError(`bad age bucket "${p}" in "${spec}"`, { where, hint: 'write ranges like 0-12,13-17,65+' });
  });
  if (buckets.length === 0) throw new UsageError(`no age buckets in "${spec}"`, { where, hint: `e.g. ${DEFAULT_AGE_BUCKETS}` });
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i].min !== buckets[i - 1].max + 1) {
      throw new UsageError(`age buckets "${buckets[i - 1].label}" and "${buckets[i].label}" leave a gap or overlap`, { where, hint: 'each range must start one year after the previous ends' });
    }
  }
  return buckets;
}

/**
 * The whole years shown for an age (completed years, as people count them): the preview's label
 * and the bucket both come from this one value, so "44y" always sits in 35-44.
 */
export function shownAge(age: number): number {
  return Math.floor(age);
}

/** The index of the bucket holding `age` (by {@link shownAge}; clamped to the first and last buckets). */
export function bucketIndex(buckets: AgeBucket[], age: number): number {
  const years = shownAge(age);
  if (years < buckets[0].min) return 0;
  const i = buckets.findIndex((b) => years <= b.max);
  return i < 0 ? buckets.length - 1 : i;
}

/** The label of the bucket holding `age` (by {@link shownAge}; clamped to the first and last buckets). */
export function bucketOf(buckets: AgeBucket[], age: number): string {
  return buckets[bucketIndex(buckets, age)].label;
}
