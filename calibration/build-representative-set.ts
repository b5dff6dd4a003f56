/**
 * `agekit calibrate build` as a library call: draw a sample of a dataset stratified by age
 * decade, crop each face with host/data's crop (cropFace from core/contract, the code training
 * and the device use), and store the uint8 crops with a manifest as a representative set.
 *
 * @example
 * const r = await buildRepresentativeSet({ dataset: 'utkface:data:split=train', samples: 500, out: 'calib/utk96',
 *   inputSize: [96, 96], preprocessing: 'tf' });
 */
import { DataError } from '../core/errors.ts';
import { DEFAULT_CROP, type CropSpec } from '../core/contract/face-crop.ts';
import type { Preprocessing } from '../core/contract/preprocessing.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { cropJobRgb } from '../host/data/prepare-crops.ts';
import type { Sample } from '../host/data/dataset.ts';
import { decadeOf } from '../host/eval/metrics.ts';
import { decadeLabel, stratifiedSample } from './stratified-sample.ts';
import { writeRepresentativeSet, type RepresentativeSetManifest } from '../core/contract/representative-set-dir.ts';

export interface BuildSetOptions {
  /** Dataset spec, e.g. `utkface:<dir>:split=train`. */
  dataset: string;
  /** Crops to store. Default 500. */
  samples?: number;
  /** Output folder (created). */
  out: string;
  /** Crop [height, width]. */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  /** Default: the dataset's own crop spec, else {@link DEFAULT_CROP}. */
  crop?: CropSpec;
  /** Seed of the draw within each decade. Default 0. */
  seed?: number;
  /** Called after each crop with done and total. */
  onProgress?: (done: number, total: number) => void;
}

export interface BuiltSet {
  manifest: RepresentativeSetManifest;
  /** The samples stored, in crop order. */
  samples: Sample[];
  /** Drawn samples whose image could not be read (skipped), with the reason. */
  skipped: { path: string; reason: string }[];
}

/** Build and write a set. A DataError when the dataset is empty or no drawn image can be read. */
export async function buildRepresentativeSet(o: BuildSetOptions): Promise<BuiltSet> {
  const ds = await loadDataset(o.dataset);
  if (ds.samples.length === 0) throw new DataError('dataset has no samples to build a representative set from', { where: o.dataset, hint: 'check the folder and the :split= of the spec' });
  const want = o.samples ?? 500;
  if (!Number.isInteger(want) || want < 1) throw new DataError(`--samples ${want} is not a positive integer`, { where: '--samples', hint: 'ask for at least 1 crop' });
  const draw = stratifiedSample(ds.samples, want, o.seed ?? 0);
  const crop = o.crop ?? ds.crop ?? DEFAULT_CROP;
  const [h, w] = o.inputSize;
  const size = h * w * 3;
  const crops = new Uint8Array(draw.picked.length * size);
  const kept: Sample[] = [];
  const skipped: BuiltSet['skipped'] = [];
  for (const s of draw.picked) {
    try {
      crops.set(await cropJobRgb({ path: s.path, box: s.box }, w, h, crop), kept.length * size);
      kept.push(s);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      skipped.push({ path: s.path, reason: err.message });
    }
    o.onProgress?.(kept.length + skipped.length, draw.picked.length);
  }
  if (kept.length === 0) throw new DataError(`none of the ${draw.picked.length} drawn images could be read (first: ${skipped[0]?.reason})`, { where: o.dataset, hint: 'check the image files' });
  // Counts of what was stored (an unreadable image leaves its decade one short).
  const perDecade: Record<string, number> = {};
  if (draw.strategy === 'decade') for (const s of kept) perDecade[decadeLabel(decadeOf(s.age!))] = (perDecade[decadeLabel(decadeOf(s.age!))] ?? 0) + 1;
  else perDecade.unlabelled = kept.length;
  const perDecadeSorted = Object.fromEntries(Object.entries(perDecade).sort((a, b) => parseInt(a[0], 10) - parseInt(b[0], 10)));
  const manifest = await writeRepresentativeSet(o.out, crops.subarray(0, kept.length * size), {
    inputSize: [h, w], preprocessing: o.preprocessing, crop, source: o.dataset, count: kept.length,
    perDecade: perDecadeSorted, stratification: draw.strategy, seed: o.seed ?? 0, datasetSamples: ds.samples.length,
    skippedImages: skipped.length, collectedBy: 'agekit calibrate build', created: new Date().toISOString(),
  });
  return { manifest, samples: kept, skipped };
}
