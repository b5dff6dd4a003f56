/**
 * Spec parameters shared by the seed-layout loaders: unknown `:key=` names are errors, and
 * `:split=` keeps the samples of the named splits (comma-separated), with aliases such as
 * APPA-REAL's `valid` for `val`.
 *
 * @example
 * const kept = selectSplits(samples, 'train,val', ['train', 'val', 'test'], 'vggface2:/data:split=train,val');
 */
import { DataError } from '../../../core/errors.ts';
import type { Dataset, Sample } from '../dataset.ts';

/** Parse `a,b` into split names, checking each against those the dataset has. */
export function parseSplitList(value: string, known: readonly string[], spec: string, aliases: Record<string, string> = {}): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => aliases[s] ?? s);
  const unknown = names.filter((n) => !known.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new DataError(`unknown split "${unknown.join(',') || value}"`, { where: spec, hint: `this dataset has splits ${known.join(', ')}` });
  }
  return names;
}

/** Keep the samples whose split is in `value` (all when value is undefined). */
export function selectSplits(samples: Sample[], value: string | undefined, known: readonly string[], spec: string, aliases: Record<string, string> = {}): Sample[] {
  if (value === undefined) return samples;
  const wanted = new Set(parseSplitList(value, known, spec, aliases));
  return samples.filter((s) => s.split !== undefined && wanted.has(s.split));
}

/** Options the dataset registry applies after loading (host/data/load-dataset.ts); loaders accept and ignore them. */
const REGISTRY_OPTIONS = ['limit', 'seed'];

/** Throw when a spec carries a parameter this loader does not know (a typo must not be ignored). */
export function checkParams(params: Record<string, string>, allowed: readonly string[], spec: string): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key) && !REGISTRY_OPTIONS.includes(key)) {
      throw new DataError(`unknown parameter "${key}"`, { where: spec, hint: `this dataset takes ${allowed.map((a) => `:${a}=`).join(' ') || 'no parameters'}` });
    }
  }
}

/** Parse a numeric spec parameter within bounds, or return the default. */
export function numberParam(params: Record<string, string>, key: string, fallback: number, spec: string, bounds: { min?: number; max?: number } = {}): number {
  const raw = params[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
    throw new DataError(`:${key}= expects a number${bounds.min !== undefined ? ` >= ${bounds.min}` : ''}${bounds.max !== undefined ? ` <= ${bounds.max}` : ''} (got "${raw}")`, { where: spec });
  }
  return n;
}

/** The parsed spec the dataset registry hands a loader (structurally host/data/load-dataset.ts's DatasetRef). */
export interface SeedLoaderRef { spec: string; location: string; options: Record<string, string> }

/** What the registry wants back from a loader: the Dataset minus what the registry fills in itself. */
export function toLoadedItems(ds: Dataset): { root: string; samples: Sample[]; skipped: Dataset['skipped']; splits: string[]; crop?: Dataset['crop'] } {
  return { root: ds.root, samples: ds.samples, skipped: ds.skipped, splits: ds.splits, ...(ds.crop ? { crop: ds.crop } : {}) };
}
