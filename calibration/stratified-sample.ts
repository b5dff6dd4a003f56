/**
 * Draw a sample of a dataset stratified by age decade: each decade gets its share of the
 * sample in proportion to its share of the data (largest remainder, at least one face for
 * every decade present when the sample is large enough), drawn at random within the decade
 * with a seed. Unlabelled data is drawn uniformly.
 *
 * @example
 * const { picked, perDecade } = stratifiedSample(ds.samples, 500, 0);
 */
import type { Sample } from '../host/data/dataset.ts';
import { SeededRandom } from '../host/data/seeded-random.ts';
import { decadeOf } from '../host/eval/metrics.ts';

/** Decade label of a decade index (0 -> `0-9`, 10 -> `100+`), as in host/eval's metrics. */
export function decadeLabel(k: number): string {
  return k >= 10 ? '100+' : `${k * 10}-${k * 10 + 9}`;
}

export interface StratifiedSample {
  /** Chosen samples, in the dataset's order. */
  picked: Sample[];
  /** Count per decade label (`0-9`, ..., `100+`), or `{ unlabelled: n }` for unlabelled data. */
  perDecade: Record<string, number>;
  /** `decade` when every sample had an age, else `uniform`. */
  strategy: 'decade' | 'uniform';
}

/**
 * Pick `count` samples (all of them when there are fewer).
 * @param seed seeds the draw within each decade; the same seed gives the same sample
 */
export function stratifiedSample(samples: readonly Sample[], count: number, seed = 0): StratifiedSample {
  const rng = new SeededRandom(seed);
  const n = Math.min(count, samples.length);
  const labelled = samples.every((s) => s.age !== undefined && Number.isFinite(s.age));
  if (!labelled) {
    const idx = rng.shuffle(samples.map((_, i) => i)).slice(0, n).sort((a, b) => a - b);
    return { picked: idx.map((i) => samples[i]), perDecade: { unlabelled: n }, strategy: 'uniform' };
  }
  const groups = new Map<number, number[]>();
  samples.forEach((s, i) => {
    const k = decadeOf(s.age!);
    const g = groups.get(k);
    if (g) g.push(i); else groups.set(k, [i]);
  });
  const keys = [...groups.keys()].sort((a, b) => a - b);
  // Proportional shares by largest remainder; then every present decade gets at least one face
  // (taken from the largest quota) so rare old decades are not dropped from small sets.
  const exact = keys.map((k) => (groups.get(k)!.length * n) / samples.length);
  const quota = exact.map(Math.floor);
  let left = n - quota.reduce((a, b) => a + b, 0);
  const byRemainder = keys.map((_, j) => j).sort((a, b) => (exact[b] - quota[b]) - (exact[a] - quota[a]) || a - b);
  for (const j of byRemainder) { if (left === 0) break; quota[j]++; left--; }
  if (n >= keys.length) {
    for (let j = 0; j < keys.length; j++) {
      if (quota[j] > 0) continue;
      const donor = quota.indexOf(Math.max(...quota));
      quota[donor]--; quota[j]++;
    }
  }
  const chosen: number[] = [];
  const perDecade: Record<string, number> = {};
  keys.forEach((k, j) => {
    if (quota[j] === 0) return;
    chosen.push(...rng.shuffle([...groups.get(k)!]).slice(0, quota[j]));
    perDecade[decadeLabel(k)] = quota[j];
  });
  chosen.sort((a, b) => a - b);
  return { picked: chosen.map((i) => samples[i]), perDecade, strategy: 'decade' };
}
