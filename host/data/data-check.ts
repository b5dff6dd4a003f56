/**
 * What `agekit data check` reports about a dataset: usable samples, samples per split, the age
 * histogram by decade, what was skipped and why, and a mosaic of preprocessed crops (the real
 * batch pipeline, normalized and then denormalized back to RGB) with their ages written on them.
 *
 * @example
 * const ds = await loadDataset('utkface:../shared/data/utkface:split=val', { verifyImages: 'quick' });
 * const report = summarizeDataset(ds);
 * await writeDataMosaic(ds, 'mosaic.png', { inputSize: [96, 96], preprocessing: 'vggface2' });
 */
import { denormalizePixels, type Preprocessing } from '../../core/contract/preprocessing.ts';
import type { RgbImage } from '../../core/contract/face-crop.ts';
import { writeMosaicPng } from '../report/mosaic.ts';
import { skip, type Dataset, type Sample } from './dataset.ts';
import { batchStream, type Augmentation } from './batch-stream.ts';
import { SeededRandom } from './seeded-random.ts';

/** The JSON written by `agekit data check --json` (snake_case: a wire format). */
export interface DataCheckReport {
  spec: string;
  kind: string;
  root: string;
  /** Usable samples. */
  n: number;
  /** Samples with an age label. */
  labelled: number;
  /** Every split or fold the dataset has. */
  splits: string[];
  /** Usable samples per split or fold, where the dataset has them. */
  by_split: Record<string, number>;
  /** Labelled samples per decade of age: `0-9`, `10-19`, ..., `100-109`, `110+`. */
  by_decade: Record<string, number>;
  age: { min: number; max: number; mean: number } | null;
  /** Skipped items per reason. */
  skipped: Record<string, number>;
  /** The first few paths (or file:line) per reason. */
  skipped_examples: Record<string, string[]>;
  /** Where the mosaic went, when one was written. */
  mosaic?: string;
}

/** Decade label of an age: `0-9` ... `100-109`, then `110+`. */
export function decadeOf(age: number): string {
  const d = Math.floor(age / 10) * 10;
  return d >= 110 ? '110+' : `${d}-${d + 9}`;
}

/** Every decade label from 0-9 to 110+, in order. */
export const DECADES: readonly string[] = [...Array.from({ length: 11 }, (_, i) => `${i * 10}-${i * 10 + 9}`), '110+'];

/** Counts, splits, decades and skips of a loaded dataset. */
export function summarizeDataset(ds: Dataset): DataCheckReport {
  const by_split: Record<string, number> = {};
  for (const s of ds.splits) by_split[s] = 0;
  const by_decade: Record<string, number> = Object.fromEntries(DECADES.map((d) => [d, 0]));
  let labelled = 0, sum = 0, min = Infinity, max = -Infinity;
  for (const s of ds.samples) {
    if (s.split !== undefined) by_split[s.split] = (by_split[s.split] ?? 0) + 1;
    if (s.age === undefined) continue;
    labelled++;
    sum += s.age;
    if (s.age < min) min = s.age;
    if (s.age > max) max = s.age;
    by_decade[decadeOf(s.age)]++;
  }
  // Keep only the splits that are selected and present, when a split= option narrowed the set.
  const present = Object.fromEntries(Object.entries(by_split).filter(([, n]) => n > 0));
  return {
    spec: ds.spec,
    kind: ds.kind,
    root: ds.root,
    n: ds.samples.length,
    labelled,
    splits: ds.splits,
    by_split: present,
    by_decade,
    age: labelled > 0 ? { min, max, mean: sum / labelled } : null,
    skipped: { ...ds.skipped.counts },
    skipped_examples: { ...ds.skipped.examples },
  };
}

export interface DataMosaicOptions {
  /** Crop size [height, width]. Default [96, 96]. */
  inputSize?: [number, number];
  /** Default `vggface2`. */
  preprocessing?: Preprocessing;
  /** Default `no`. */
  augmentation?: Augmentation;
  /** Number of crops. Default 20. */
  count?: number;
  /** Seed of the sample choice and of the augmentation. Default 0. */
  seed?: number;
  /** Worker threads for decoding (see batchStream). Default 0: 20 crops do not need a pool. */
  workers?: number;
}

/** The age as written on a tile: integer ages as is, others with one decimal; `?` when unlabelled. */
export function ageLabel(s: Sample): string {
  if (s.age === undefined) return '?';
  return Number.isInteger(s.age) ? String(s.age) : s.age.toFixed(1);
}

/**
 * Write a mosaic PNG of `count` random crops, prepared by the batch pipeline exactly as training
 * sees them (crop, augmentation, normalization) and turned back into RGB with denormalizePixels.
 * Images that fail to decode are counted in `ds.skipped`, removed from `ds.samples` and
 * replaced by other samples.
 * @returns the number of tiles drawn
 */
export async function writeDataMosaic(ds: Dataset, path: string, options: DataMosaicOptions = {}): Promise<number> {
  const [h, w] = options.inputSize ?? [96, 96];
  const preprocessing = options.preprocessing ?? 'vggface2';
  const count = options.count ?? 20;
  const candidates = new SeededRandom(options.seed ?? 0).shuffle(ds.samples.slice());
  const tiles: { image: RgbImage; label: string }[] = [];
  const failed = new Set<Sample>();
  let from = 0;
  while (tiles.length < count && from < candidates.length) {
    const take = candidates.slice(from, from + (count - tiles.length));
    from += take.length;
    const part: Dataset = { ...ds, samples: take };
    const stream = batchStream(part, {
      inputSize: [h, w], preprocessing, augmentation: options.augmentation ?? 'no', batchSize: take.length,
      seed: options.seed ?? 0, workers: options.workers ?? 0,
      onSkip: (s, reason) => { skip(ds.skipped, reason, s.path); failed.add(s); },
    });
    for await (const b of stream) {
      for (let i = 0; i < b.n; i++) {
        const rgb = denormalizePixels(b.x.subarray(i * h * w * 3, (i + 1) * h * w * 3), preprocessing);
        tiles.push({ image: { width: w, height: h, data: rgb }, label: ageLabel(b.samples[i]) });
      }
    }
  }
  if (failed.size > 0) ds.samples = ds.samples.filter((s) => !failed.has(s));
  await writeMosaicPng(tiles, path, { columns: 5 });
  return tiles.length;
}
