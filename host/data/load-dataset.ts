/**
 * Loading a dataset from its spec through a table of loaders (kind -> loader), then the options
 * every kind shares: `split=` / `fold=` selection, `limit=` subsets, and the optional image check.
 * Adding a dataset layout is one file in loaders/ and one line in {@link BUILTIN_LOADERS}
 * (or a call to {@link registerDatasetLoader} from outside).
 *
 * @example
 * const val = await loadDataset('utkface:../shared/data/utkface:split=val');
 * const few = await loadDataset('csv:faces.csv:split=train:limit=500', { verifyImages: 'quick' });
 */
import { isAbsolute, resolve } from 'node:path';
import { DataError } from '../../core/errors.ts';
import type { CropSpec } from '../../core/contract/face-crop.ts';
import type { Dataset, Sample, SkipTally } from './dataset.ts';
import { parseDatasetSpec } from './dataset-spec.ts';
import { SeededRandom } from './seeded-random.ts';
import { verifySampleImages, type ImageVerification, type VerifyImagesOptions } from './verify-images.ts';
import { utkfaceLoader } from './loaders/utkface.ts';
import { csvLoader } from './loaders/csv.ts';
import { folderLoader } from './loaders/folder.ts';
import { vggface2Loader } from './loaders/vggface2.ts';
import { imdbwikiLoader } from './loaders/imdbwiki.ts';
import { lfwplusLoader } from './loaders/lfwplus.ts';
import { appaLoader } from './loaders/appa.ts';
import { adienceLoader } from './loaders/adience.ts';
import { relabelLoader } from './loaders/relabel.ts';

/** A parsed spec handed to a loader; `location` is already an absolute path. */
export interface DatasetRef {
  spec: string;
  kind: string;
  location: string;
  /** The spec's `key=value` options, including the shared ones (split, fold, limit, seed). */
  options: Record<string, string>;
}

/** What a loader returns: every usable sample (all splits) and what it skipped. */
export interface LoadedItems {
  /** Root directory or file. */
  root: string;
  samples: Sample[];
  skipped: SkipTally;
  /** Every split or fold of the dataset; default: the distinct `split` values of the samples. */
  splits?: string[];
  /** How this dataset's boxes become crops, when not the default square box. */
  crop?: CropSpec;
}

/** One dataset layout. Loaders skip bad items (counting them) and throw only for a bad spec or location. */
export interface DatasetLoader {
  /** The spec prefix, lower case: `utkface`, `csv`, `vggface2`, ... */
  kind: string;
  /** How to write the spec, e.g. `utkface:<dir>`. */
  usage: string;
  /** One line for help texts. */
  description: string;
  /**
   * Option keys this loader reads itself, beyond the shared {@link SHARED_OPTIONS}. Listing
   * `fold` makes the registry pass `fold=` through instead of turning it into `split=fold<k>`.
   */
  options?: readonly string[];
  load(ref: DatasetRef): Promise<LoadedItems>;
}

/** Options every kind accepts: `split=a[,b]`, `fold=0[,1]` (splits fold0, fold1), `limit=N`, `seed=S` (for limit). */
export const SHARED_OPTIONS = ['split', 'fold', 'limit', 'seed'] as const;

/** The loaders shipped with agekit, one line each. */
const BUILTIN_LOADERS: DatasetLoader[] = [
  utkfaceLoader,
  csvLoader,
  folderLoader,
  vggface2Loader,
  imdbwikiLoader,
  lfwplusLoader,
  appaLoader,
  adienceLoader,
  relabelLoader,
];

const loaders = new Map<string, DatasetLoader>(BUILTIN_LOADERS.map((l) => [l.kind, l]));

/** Add a loader for a new spec kind; replacing an existing kind needs `replace: true`. */
export function registerDatasetLoader(loader: DatasetLoader, options: { replace?: boolean } = {}): void {
  const kind = loader.kind.toLowerCase();
  if (loaders.has(kind) && !options.replace) {
    throw new DataError(`a loader for "${kind}" is already registered`, { where: 'registerDatasetLoader', hint: 'pass { replace: true } to replace it' });
  }
  loaders.set(kind, loader);
}

/** Every registered loader, in registration order (for help texts). */
export function datasetLoaders(): DatasetLoader[] {
  return [...loaders.values()];
}

export interface LoadDatasetOptions {
  /** Folder that relative paths in the spec are resolved from. Default `process.cwd()`. */
  cwd?: string;
  /** Check the selected images at load time (see verify-images.ts). Default `none`. */
  verifyImages?: ImageVerification;
  /** Progress of the image check. */
  onVerifyProgress?: VerifyImagesOptions['onProgress'];
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveInt(ref: DatasetRef, key: string): number | undefined {
  const raw = ref.options[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (key === 'seed' ? 0 : 1)) {
    throw new DataError(`option ${key}=${raw} is not ${key === 'seed' ? 'a non-negative' : 'a positive'} integer`, { where: ref.spec, hint: `write ${key}=<integer>` });
  }
  return n;
}

/** The splits `split=` / `fold=` ask for, or undefined for all. */
function requestedSplits(ref: DatasetRef): string[] | undefined {
  const { split, fold } = ref.options;
  if (split !== undefined && fold !== undefined) throw new DataError('both split= and fold= given', { where: ref.spec, hint: 'select with one of them' });
  if (split !== undefined) return splitList(split);
  if (fold !== undefined) {
    return splitList(fold).map((f) => {
      if (!/^\d+$/.test(f)) throw new DataError(`fold "${f}" is not a fold number`, { where: ref.spec, hint: 'write fold=0 or fold=0,1,2' });
      return `fold${f}`;
    });
  }
  return undefined;
}

/** A loader that skipped every item: say why (the split check would otherwise blame the splits). */
function refuseAllSkipped(ref: DatasetRef, skipped: LoadedItems['skipped']): void {
  const reasons = Object.entries(skipped.counts).filter(([, n]) => n > 0);
  if (reasons.length === 0) return;
  const total = reasons.reduce((a, [, n]) => a + n, 0);
  const detail = reasons.map(([r, n]) => `${n} ${r}${skipped.examples[r]?.[0] ? ` (e.g. ${skipped.examples[r][0]})` : ''}`).join(', ');
  const outside = reasons.some(([r]) => r === 'outside_folder');
  throw new DataError(`every item was skipped (${total}): ${detail}`, {
    where: ref.spec,
    hint: outside ? 'the paths lead outside the label file\'s folder: move the file beside the images, or add :paths=any if you trust it' : 'check the paths and labels the reasons name',
  });
}

function selectSamples(ref: DatasetRef, items: LoadedItems, splits: string[]): Sample[] {
  const wanted = requestedSplits(ref);
  let samples = items.samples;
  if (wanted) {
    if (splits.length === 0) {
      throw new DataError(`this dataset has no splits, so "${ref.options.split ?? 'fold=' + ref.options.fold}" cannot be selected`, {
        where: ref.spec, hint: 'drop the split option, or add a split column to the label file',
      });
    }
    const unknown = wanted.filter((s) => !splits.includes(s));
    if (unknown.length > 0) {
      throw new DataError(`no split ${unknown.join(', ')} in this dataset (it has ${splits.join(', ')})`, { where: ref.spec, hint: `select one of ${splits.join(', ')}` });
    }
    const set = new Set(wanted);
    samples = samples.filter((s) => s.split !== undefined && set.has(s.split));
  }
  const limit = positiveInt(ref, 'limit');
  if (limit !== undefined && limit < samples.length) {
    // A seeded random subset in the original order: label files are often sorted (UTKFace by age).
    const order = new SeededRandom(positiveInt(ref, 'seed') ?? 0).shuffle(samples.map((_, i) => i)).slice(0, limit).sort((a, b) => a - b);
    samples = order.map((i) => samples[i]);
  }
  return samples;
}

/**
 * Load a dataset from a spec such as `utkface:<dir>`, `csv:<file>` or `folder:<dir>`, with optional
 * `:split=`, `:fold=`, `:limit=`, `:seed=` suffixes. Bad items are skipped and counted in
 * `skipped`; a malformed spec, an unknown kind or option, or a missing location is a DataError.
 * Sample paths are absolute.
 */
export async function loadDataset(spec: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const parsed = parseDatasetSpec(spec, [...loaders.keys()]);
  const loader = loaders.get(parsed.kind);
  if (!loader) {
    throw new DataError(`unknown dataset kind "${parsed.kind}"`, { where: spec, hint: `use one of ${datasetLoaders().map((l) => l.usage).join(', ')}` });
  }
  const known = new Set<string>([...SHARED_OPTIONS, ...(loader.options ?? [])]);
  const unknownKeys = Object.keys(parsed.options).filter((k) => !known.has(k));
  if (unknownKeys.length > 0) {
    throw new DataError(`unknown option${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.join(', ')} for ${parsed.kind}`, { where: spec, hint: `${parsed.kind} takes ${[...known].join(', ')}` });
  }
  const location = isAbsolute(parsed.location) ? parsed.location : resolve(options.cwd ?? process.cwd(), parsed.location);
  const ref: DatasetRef = { spec, kind: parsed.kind, location, options: { ...parsed.options } };
  // `fold=0,1` is `split=fold0,fold1` for a loader that does not read fold= itself.
  const wanted = requestedSplits(ref);
  if (ref.options.fold !== undefined && wanted && !loader.options?.includes('fold')) {
    delete ref.options.fold;
    ref.options.split = wanted.join(',');
  }
  const items = await loader.load(ref);
  if (items.samples.length === 0) refuseAllSkipped(ref, items.skipped);
  const splits = items.splits ?? [...new Set(items.samples.map((s) => s.split).filter((s): s is string => s !== undefined))].sort();
  let samples = selectSamples(ref, items, splits);
  samples = await verifySampleImages(samples, items.skipped, options.verifyImages ?? 'none', { onProgress: options.onVerifyProgress });
  const ds: Dataset = { spec, kind: parsed.kind, root: items.root, samples, skipped: items.skipped, splits };
  if (items.crop) ds.crop = items.crop;
  return ds;
}
