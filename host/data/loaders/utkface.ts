/**
 * `utkface:<dir>`: the UTKFace layout. Labels come from `<dir>/labels.csv`
 * (path,age[,gender,ethnicity][,split], paths relative to `<dir>`) when it exists, else from the
 * file names of the images under `<dir>`: `[age]_[gender]_[race]_[datetime].jpg.chip.jpg`.
 *
 * @example
 * const ds = await loadDataset('utkface:../shared/data/utkface:split=val');
 */
import { basename, join, resolve } from 'node:path';
import { DataError } from '../../../core/errors.ts';
import { emptyTally, skip, type Sample } from '../dataset.ts';
import { parseAge, readPathAndAge } from '../age-label.ts';
import { columnIndex, readCsvTable } from '../csv-table.ts';
import { createFileChecker, isFile, listImageFiles, requireDirectory } from '../image-files.ts';
import { SKIP_REASONS } from '../skip-reasons.ts';
import type { DatasetLoader, DatasetRef, LoadedItems } from '../load-dataset.ts';

/** Label file looked for inside the folder. */
export const UTKFACE_LABELS = 'labels.csv';

async function fromLabelFile(dir: string, file: string): Promise<LoadedItems> {
  const table = await readCsvTable(file);
  const col = columnIndex(table, file, ['path', 'age'], ['split']);
  const skipped = emptyTally();
  const samples: Sample[] = [];
  const exists = createFileChecker();
  for (const row of table.rows) {
    const item = readPathAndAge(row, table.header.length, col, dir, file, skipped);
    if (!item) continue;
    if (!exists(item.path)) { skip(skipped, SKIP_REASONS.missingFile, item.path); continue; }
    const split = col.split !== undefined ? row.cells[col.split] : '';
    samples.push(split ? { ...item, split } : item);
  }
  return { root: dir, samples, skipped };
}

/** The age encoded in a UTKFace file name (`34_1_2_2017....jpg.chip.jpg`), or why there is none. */
export function ageFromUtkfaceName(name: string): ReturnType<typeof parseAge> {
  const m = /^([^_]+)_[^_]*_/.exec(basename(name));
  if (!m) return { reason: SKIP_REASONS.badFileName };
  return /^\d+$/.test(m[1]) ? parseAge(m[1]) : { reason: SKIP_REASONS.badFileName };
}

async function fromFileNames(dir: string, spec: string): Promise<LoadedItems> {
  const files = await listImageFiles(dir);
  if (files.length === 0) {
    throw new DataError(`no ${UTKFACE_LABELS} and no image files in ${dir}`, { where: spec, hint: 'point utkface: at the folder holding labels.csv or the UTKFace .jpg files' });
  }
  const skipped = emptyTally();
  const samples: Sample[] = [];
  for (const path of files) {
    const age = ageFromUtkfaceName(path);
    if ('reason' in age) skip(skipped, age.reason, path);
    else samples.push({ path, age: age.age });
  }
  return { root: dir, samples, skipped };
}

export const utkfaceLoader: DatasetLoader = {
  kind: 'utkface',
  usage: 'utkface:<dir>',
  description: 'UTKFace: <dir>/labels.csv (path,age,...,split) if present, else ages from the file names',
  async load(ref: DatasetRef): Promise<LoadedItems> {
    await requireDirectory(ref.location, ref.spec);
    const labels = join(ref.location, UTKFACE_LABELS);
    return isFile(labels) ? fromLabelFile(ref.location, labels) : fromFileNames(ref.location, ref.spec);
  },
};
