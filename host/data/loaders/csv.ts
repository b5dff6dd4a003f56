/**
 * `csv:<file>`: a generic label file. Columns `path,age` (required), `x,y,w,h` (optional face box
 * in image pixels; empty cells mean the whole image) and `split` (optional). Paths are relative
 * to the CSV's folder, or absolute.
 *
 * @example
 * // faces.csv:  path,age,x,y,w,h,split
 * //             img/001.jpg,34,40,52,120,120,train
 * const ds = await loadDataset('csv:faces.csv:split=train');
 */
import { dirname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { DataError } from '../../../core/errors.ts';
import type { Box } from '../../../core/contract/face-crop.ts';
import { emptyTally, skip, type Sample } from '../dataset.ts';
import { readPathAndAge } from '../age-label.ts';
import { columnIndex, readCsvTable } from '../csv-table.ts';
import { createFileChecker } from '../image-files.ts';
import { SKIP_REASONS } from '../skip-reasons.ts';
import type { DatasetLoader, DatasetRef, LoadedItems } from '../load-dataset.ts';

const BOX_COLUMNS = ['x', 'y', 'w', 'h'] as const;

/** Parse the four box cells: a Box, `null` when all are empty (whole image), `undefined` when invalid. */
export function parseBoxCells(cells: string[]): Box | null | undefined {
  if (cells.every((c) => c === '')) return null;
  const v = cells.map((c) => (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(c) ? Number(c) : NaN));
  if (v.some((n) => !Number.isFinite(n)) || v[2] <= 0 || v[3] <= 0) return undefined;
  return { x: v[0], y: v[1], w: v[2], h: v[3] };
}

export const csvLoader: DatasetLoader = {
  kind: 'csv',
  usage: 'csv:<file.csv>',
  description: 'a CSV with columns path,age and optional x,y,w,h (face box) and split; paths relative to the CSV',
  async load(ref: DatasetRef): Promise<LoadedItems> {
    const file = ref.location;
    const st = await stat(file).catch(() => undefined);
    if (!st) throw new DataError(`label file not found (${file})`, { where: ref.spec, hint: 'check the path; relative paths are resolved from the current directory' });
    if (!st.isFile()) throw new DataError(`not a file (${file})`, { where: ref.spec, hint: 'csv: takes a .csv file; use utkface: or folder: for a directory' });
    const table = await readCsvTable(file);
    const present = BOX_COLUMNS.filter((c) => table.header.includes(c));
    if (present.length > 0 && present.length < 4) {
      throw new DataError(`label file has box column${present.length > 1 ? 's' : ''} ${present.join(',')} but not all of x,y,w,h`, { where: file, hint: 'give all four box columns or none' });
    }
    const col = columnIndex(table, file, ['path', 'age'], ['split', ...BOX_COLUMNS]);
    const root = dirname(file);
    const skipped = emptyTally();
    const samples: Sample[] = [];
    const exists = createFileChecker();
    for (const row of table.rows) {
      const item = readPathAndAge(row, table.header.length, col, root, file, skipped);
      if (!item) continue;
      const { path } = item;
      const sample: Sample = { path, age: item.age };
      if (present.length === 4) {
        const box = parseBoxCells(BOX_COLUMNS.map((c) => row.cells[col[c]]));
        if (box === undefined) { skip(skipped, SKIP_REASONS.badBox, path); continue; }
        if (box) sample.box = box;
      }
      if (!exists(path)) { skip(skipped, SKIP_REASONS.missingFile, path); continue; }
      if (col.split !== undefined && row.cells[col.split]) sample.split = row.cells[col.split];
      samples.push(sample);
    }
    return { root, samples, skipped };
  },
};
