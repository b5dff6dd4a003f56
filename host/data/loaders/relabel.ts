/**
 * `relabel:<file.csv>`: a file written by `agekit relabel`. Every row is a sample with the
 * teacher's age (`teacherAge`) and, for distribution teachers, its distribution (`teacherDist`);
 * the ground-truth `age` is kept where the source had one, so the same file serves teacher-only,
 * ground-truth-only and mixed distillation. Unlabelled rows (no ground truth) are kept.
 *
 * @example
 * const ds = await loadDataset('relabel:/work/runs/relabel-faceres-utkface.csv:split=train');
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataError } from '../../../core/errors.ts';
import { emptyTally, skip, type Sample } from '../dataset.ts';
import { parseAge } from '../age-label.ts';
import { columnIndex, readCsvTable } from '../csv-table.ts';
import { isFile } from '../image-files.ts';
import { SKIP_REASONS } from '../skip-reasons.ts';
import { parseBoxCells } from './csv.ts';
import type { DatasetLoader, DatasetRef, LoadedItems } from '../load-dataset.ts';
import { decodeFloat16Base64 } from '../../distill/float16-base64.ts';
import { readRelabelInfo } from '../../distill/relabel-file.ts';

/** Skip reason for a row whose teacher cells are empty or not numbers. */
export const BAD_TEACHER_LABEL = 'bad_teacher_label';

export const relabelLoader: DatasetLoader = {
  kind: 'relabel',
  usage: 'relabel:<file.csv>',
  description: 'a CSV written by agekit relabel: teacher age (and distribution) per face, ground truth where known',
  async load(ref: DatasetRef): Promise<LoadedItems> {
    const file = ref.location;
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) throw new DataError(`relabel file not found (${file})`, { where: ref.spec, hint: 'write it with agekit relabel --out <file.csv>' });
    const info = await readRelabelInfo(file);
    const table = await readCsvTable(file);
    const col = columnIndex(table, file, ['path', 'teacher_age'], ['age', 'split', 'x', 'y', 'w', 'h', 'teacher_dist']);
    const hasBox = ['x', 'y', 'w', 'h'].every((c) => col[c] !== undefined);
    const root = dirname(file);
    const skipped = emptyTally();
    const samples: Sample[] = [];
    for (const row of table.rows) {
      const cell = (name: string) => (col[name] === undefined ? '' : row.cells[col[name]]);
      if (row.cells.length !== table.header.length || cell('path') === '') { skip(skipped, SKIP_REASONS.malformedRow, `${file}:${row.line}`); continue; }
      const path = resolve(root, cell('path'));
      const teacherAge = Number(cell('teacher_age'));
      if (cell('teacher_age') === '' || !Number.isFinite(teacherAge)) { skip(skipped, BAD_TEACHER_LABEL, `${file}:${row.line}`); continue; }
      const sample: Sample = { path, teacherAge };
      if (cell('teacher_dist') !== '') {
        const dist = decodeFloat16Base64(cell('teacher_dist'));
        if (!dist || (info?.bins !== undefined && dist.length !== info.bins)) { skip(skipped, BAD_TEACHER_LABEL, `${file}:${row.line}`); continue; }
        sample.teacherDist = dist;
      }
      if (cell('age') !== '') {
        const age = parseAge(cell('age'));
        if ('reason' in age) { skip(skipped, age.reason, path); continue; }
        sample.age = age.age;
      }
      if (hasBox) {
        const box = parseBoxCells(['x', 'y', 'w', 'h'].map(cell));
        if (box === undefined) { skip(skipped, SKIP_REASONS.badBox, path); continue; }
        if (box) sample.box = box;
      }
      if (!isFile(path)) { skip(skipped, SKIP_REASONS.missingFile, path); continue; }
      if (cell('split') !== '') sample.split = cell('split');
      samples.push(sample);
    }
    return { root, samples, skipped };
  },
};
