/**
 * `appa:<root>`: ChaLearn APPA-REAL (LAP 2016), in the seed framework's layout.
 *
 *   <root>/gt_avg_train.csv, gt_avg_valid.csv, gt_avg_test.csv (header row first)
 *     columns: file, number of votes, apparent age mean, apparent age std, real age,
 *              and optionally a face box x, y, w, h (the seed's aligned variant)
 *   <root>/train/<file>, <root>/valid/<file>, <root>/test/<file>
 *
 * The label is the mean apparent age; its standard deviation is kept (Sample.ageStd) for the
 * epsilon-error. A face box of zeros, or none, means the whole image is the face. Splits carry
 * the dataset's own names: `train`, `valid` and `test`.
 *
 * @example
 * const ds = await loadAppa('/data/appa-real', { split: 'valid' });
 */
import { join, resolve } from 'node:path';
import type { CropSpec } from '../../../core/contract/face-crop.ts';
import { DataError } from '../../../core/errors.ts';
import { createFileChecker } from '../image-files.ts';
import { emptyTally, skip, type Dataset, type Sample } from '../dataset.ts';
import { findDatasetRoot, numberField, readSeedCsv, requireDir, round3 } from './seed-csv.ts';
import { existsSync } from 'node:fs';
import { checkParams, parseSplitList, toLoadedItems, type SeedLoaderRef } from './spec-params.ts';

export const APPA_SPLITS = ['train', 'valid', 'test'] as const;

/**
 * Load APPA-REAL. Parameters: `split` (train, valid, test; comma list), `label` (`apparent`,
 * the default, or `real` for the real age).
 */
export async function loadAppa(root: string, params: Record<string, string> = {}, spec = `appa:${root}`): Promise<Dataset> {
  checkParams(params, ['split', 'label'], spec);
  // The folder holding the gt_avg_*.csv files, or one of its image folders (train/, valid/, test/) pointed at directly.
  const dir = findDatasetRoot(resolve(root), (d) => ['train', 'valid', 'test'].some((p) => existsSync(join(d, `gt_avg_${p}.csv`))), ['appa-real-release']);
  await requireDir(dir, 'appa');
  const label = params.label ?? 'apparent';
  if (label !== 'apparent' && label !== 'real') throw new DataError(`unknown label "${label}"`, { where: spec, hint: 'use :label=apparent (default) or :label=real' });
  const wanted = params.split === undefined ? [...APPA_SPLITS] : parseSplitList(params.split, APPA_SPLITS, spec);
  const skipped = emptyTally();
  const samples: Sample[] = [];
  const fileExists = createFileChecker();
  for (const split of wanted) {
    const part = split;
    const csv = join(dir, `gt_avg_${part}.csv`);
    const rows = await readSeedCsv(csv, 'appa');
    for (let r = 1; r < rows.length; r++) { // row 0 is the header, as in the seed
      const row = rows[r];
      const file = row[0]?.trim();
      const mean = numberField(row[2]), std = numberField(row[3]), real = numberField(row[4]);
      if (!file || mean === undefined || std === undefined || real === undefined) { skip(skipped, `malformed row in gt_avg_${part}.csv`, `${csv}:${r + 1}`); continue; }
      const path = join(dir, part, file);
      const age = label === 'apparent' ? mean : real;
      if (age < 0 || age > 116 || std < 0) { skip(skipped, 'age or std out of range', path); continue; }
      if (!fileExists(path)) { skip(skipped, 'image file missing', path); continue; }
      const sample: Sample = { path, age: round3(age), ageStd: std, split };
      const b = row.slice(5, 9).map(numberField);
      if (b.length === 4 && b.every((v) => v !== undefined)) {
        const [x, y, w, h] = b as number[];
        if (w > 0 && h > 0) sample.box = { x, y, w, h };
      }
      samples.push(sample);
    }
  }
  const crop: CropSpec = { square: false, margin: 0 };
  return { spec, kind: 'appa', root: dir, samples, skipped, crop, splits: [...APPA_SPLITS] };
}

/** The `appa:` entry of the dataset registry (host/data/load-dataset.ts). */
export const appaLoader = {
  kind: 'appa',
  usage: 'appa:<root>',
  description: 'ChaLearn APPA-REAL: gt_avg_{train,valid,test}.csv (apparent age mean and std, real age)',
  options: ['label'] as readonly string[],
  load: async (ref: SeedLoaderRef) => toLoadedItems(await loadAppa(ref.location, ref.options, ref.spec)),
};
