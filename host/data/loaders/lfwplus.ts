/**
 * `lfwplus:<root>`: LFW+ (test only), in the seed framework's layout.
 *
 *   <root>/lfw_theirs.csv   columns: _, age, relative image path (a header row is allowed)
 *   <root>/lfw_cropped/     the pre-cropped face images
 *
 * The face is each image minus a fixed 16-pixel border (the box is x = y = 16, w = width - 32,
 * h = height - 32), used as is. Every sample is in split `test`. Images are only probed for their
 * size here; one that cannot be read is skipped and counted.
 *
 * @example
 * const ds = await loadLfwPlus('/data/lfwplus');
 */
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { CropSpec } from '../../../core/contract/face-crop.ts';
import { emptyTally, skip, type Dataset, type Sample } from '../dataset.ts';
import { findDatasetRoot, numberField, readSeedCsv, requireDir, round3 } from './seed-csv.ts';
import { existsSync } from 'node:fs';
import { checkParams, numberParam, selectSplits, toLoadedItems, type SeedLoaderRef } from './spec-params.ts';

/** Pixels removed on every side of an LFW+ image. */
export const LFWPLUS_BORDER_PX = 16;
export const LFWPLUS_SPLITS = ['test'] as const;

/**
 * Load LFW+. Parameters: `split` (only `test`), `csv` (annotation file name, default
 * lfw_theirs.csv), `images` (image folder name, default lfw_cropped) — so a corrupted copy such as
 * LFW+C can reuse the labels — and `border` (pixels, default 16).
 */
export async function loadLfwPlus(root: string, params: Record<string, string> = {}, spec = `lfwplus:${root}`): Promise<Dataset> {
  checkParams(params, ['split', 'csv', 'images', 'border'], spec);
  // The folder holding the label file (the seed's gender-access/), the folder holding that, or the image folder (lfw_cropped/).
  const dir = findDatasetRoot(resolve(root), (d) => existsSync(join(d, params.csv ?? 'lfw_theirs.csv')), ['gender-access']);
  await requireDir(dir, 'lfwplus');
  const border = numberParam(params, 'border', LFWPLUS_BORDER_PX, spec, { min: 0 });
  const csv = join(dir, params.csv ?? 'lfw_theirs.csv');
  const images = join(dir, params.images ?? 'lfw_cropped');
  await requireDir(images, 'lfwplus');
  const rows = await readSeedCsv(csv, 'lfwplus');
  const skipped = emptyTally();
  const candidates: { path: string; age: number }[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const age = numberField(row[1]);
    const rel = row[2]?.trim();
    if (r === 0 && age === undefined) continue; // header row
    if (!rel) { skip(skipped, 'malformed row in lfw_theirs.csv', `${csv}:${r + 1}`); continue; }
    const path = join(images, rel);
    if (age === undefined || age < 0 || age > 116) { skip(skipped, 'age missing or out of range 0..116', path); continue; }
    candidates.push({ path, age: round3(age) });
  }
  const samples: Sample[] = [];
  // Only the header is read (sharp.metadata), so probing thousands of files stays quick.
  for (const c of candidates) {
    const meta = await sharp(c.path).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height) { skip(skipped, meta ? 'image cannot be decoded' : 'image file missing or unreadable', c.path); continue; }
    const w = meta.width - 2 * border, h = meta.height - 2 * border;
    if (w <= 0 || h <= 0) { skip(skipped, `image smaller than the ${border}px border`, c.path); continue; }
    samples.push({ path: c.path, age: c.age, box: { x: border, y: border, w, h }, split: 'test' });
  }
  const crop: CropSpec = { square: false, margin: 0 };
  return { spec, kind: 'lfwplus', root: dir, samples: selectSplits(samples, params.split, LFWPLUS_SPLITS, spec), skipped, crop, splits: [...LFWPLUS_SPLITS] };
}

/** The `lfwplus:` entry of the dataset registry (host/data/load-dataset.ts). */
export const lfwplusLoader = {
  kind: 'lfwplus',
  usage: 'lfwplus:<root>',
  description: 'LFW+: lfw_theirs.csv (age, path) over lfw_cropped/ with a 16 px border removed; test only',
  options: ['csv', 'images', 'border'] as readonly string[],
  load: async (ref: SeedLoaderRef) => toLoadedItems(await loadLfwPlus(ref.location, ref.options, ref.spec)),
};
