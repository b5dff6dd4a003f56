/**
 * The dataset contract: a loader turns a spec (`utkface:<dir>:split=val`) into plain samples,
 * and counts what it had to skip and why. Loaders never throw on bad items; they throw only when
 * the spec itself is wrong or the directory is missing.
 *
 * @example
 * const ds = await loadDataset('utkface:../shared/data/utkface:split=val');
 * console.log(ds.samples.length, ds.skipped.counts);
 */
import type { Box, CropSpec } from '../../core/contract/face-crop.ts';

/** One labelled (or unlabelled) face image. */
export interface Sample {
  /** Absolute path of the image file. */
  path: string;
  /** Age in years (real, or apparent for APPA-REAL); absent for unlabelled data. */
  age?: number;
  /** Face box in image pixels; absent when the whole image is the face crop. */
  box?: Box;
  /** Split or fold this sample belongs to (`train`, `val`, `test`, `fold0`, ...). */
  split?: string;
  /** Standard deviation of the apparent age (APPA-REAL), for the epsilon-error. */
  ageStd?: number;
  /** Age-group class index (Adience: 0..7). */
  ageGroup?: number;
  /** Identity name, where the dataset has one (for identity-disjoint splits). */
  identity?: string;
  /** Teacher's age and (optional) distribution, where the dataset comes from `agekit relabel`. */
  teacherAge?: number;
  teacherDist?: Float32Array;
}

/** Items a loader skipped, per reason, with the first few paths of each. */
export interface SkipTally {
  counts: Record<string, number>;
  examples: Record<string, string[]>;
}

export interface Dataset {
  /** The spec it was loaded from. */
  spec: string;
  /** Loader name: `utkface`, `csv`, `folder`, `vggface2`, ... */
  kind: string;
  /** Root directory or file the spec named. */
  root: string;
  samples: Sample[];
  skipped: SkipTally;
  /** How this dataset's boxes become crops (e.g. VGGFace2's square box with a margin). */
  crop?: CropSpec;
  /** Every split or fold the dataset has (before any `:split=` selection). */
  splits: string[];
}

/** Record one skipped item. */
export function skip(tally: SkipTally, reason: string, path: string, keepExamples = 5): void {
  tally.counts[reason] = (tally.counts[reason] ?? 0) + 1;
  const list = (tally.examples[reason] ??= []);
  if (list.length < keepExamples) list.push(path);
}

export function emptyTally(): SkipTally {
  return { counts: {}, examples: {} };
}
