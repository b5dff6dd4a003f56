/**
 * `csv:<file>`: a generic label file. Columns `path,age` (required), `x,y,w,h` (optional face box
 * in image pixels; empty cells mean the whole image) and `split` (optional). Paths are relative
 * to the CSV's folder. A path that leads outside that folder (`../`, an absolute path, a symlink
 * out of it) is skipped and counted as `outside_folder`, unless the spec says `:paths=any`: a label
 * file from elsewhere must not make agekit read (and echo, crop or copy) any file on the machine.
 * Label files agekit writes with absolute paths by design (relabel, `agekit boxes`: their JSON
 * sidecar names the format) are read as written.
 *
 * @example
 * // faces.csv:  path,age,x,y,w,h,split
 * //             img/001.jpg,34,40,52,120,120,train
 * const ds = await loadDataset('csv:faces.csv:split=train');
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { readFileSync, realpathSync } from 'node:fs';
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

/** True when `path` (absolute) is inside folder `root`, also once symlinks are resolved. */
export function isInsideFolder(path: string, root: string, realRoot = safeRealpath(root)): boolean {
  const inside = (p: string, r: string) => { const rel = relative(r, p); return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel); };
  if (!inside(path, root)) return false;
  const real = safeRealpath(path);
  // A missing file has no real path: it is counted as missing later.
  return real === undefined || realRoot === undefined || inside(real, realRoot);
}

function safeRealpath(path: string): string | undefined {
  try { return realpathSync(path); } catch { return undefined; }
}

/** Sidecar formats of the label files agekit writes itself with absolute paths (relabel, boxes). */
const AGEKIT_LABEL_FORMATS = ['agekit-relabel', 'agekit-boxes'];

/**
 * True when the CSV is one agekit wrote (relabel: `<file>.json`; boxes: `<name>.json`), whose
 * paths are absolute by design.
 */
function isAgekitLabelFile(file: string): boolean {
  for (const sidecar of [`${file}.json`, file.replace(/\.csv$/i, '') + '.json']) {
    try {
      if (AGEKIT_LABEL_FORMATS.includes((JSON.parse(readFileSync(sidecar, 'utf8')) as { format?: string }).format ?? '')) return true;
    } catch { /* no such sidecar */ }
  }
  return false;
}

/** Values of the csv loader's `:paths=` option. */
const PATH_POLICIES = ['inside', 'any'];

export const csvLoader: DatasetLoader = {
  kind: 'csv',
  usage: 'csv:<file.csv>',
  description: 'a CSV with columns path,age and optional x,y,w,h (face box) and split; paths inside the CSV\'s folder (:paths=any allows others)',
  options: ['paths'],
  async load(ref: DatasetRef): Promise<LoadedItems> {
    const file = ref.location;
    const st = await stat(file).catch(() => undefined);
    if (!st) throw new DataError(`label file not found (${file})`, { where: ref.spec, hint: 'check the path; relative paths are resolved from the current directory' });
    if (!st.isFile()) throw new DataError(`not a file (${file})`, { where: ref.spec, hint: 'csv: takes a .csv file; use utkface: or folder: for a directory' });
    const policy = ref.options.paths ?? (isAgekitLabelFile(file) ? 'any' : 'inside');
    if (!PATH_POLICIES.includes(policy)) throw new DataError(`unknown :paths=${policy}`, { where: ref.spec, hint: 'write :paths=inside (default) or :paths=any to allow paths outside the CSV\'s folder' });
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
    const realRoot = safeRealpath(root);
    for (const row of table.rows) {
      const item = readPathAndAge(row, table.header.length, col, root, file, skipped);
      if (!item) continue;
      const { path } = item;
      if (policy === 'inside' && !isInsideFolder(path, root, realRoot)) { skip(skipped, SKIP_REASONS.outsideFolder, path); continue; }
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
