/**
 * The relabel file format: a CSV that `csv:<file>` reads for its ground truth and
 * `relabel:<file>` reads for the teacher's labels, plus a JSON sidecar (`<file>.json`) saying
 * which teacher, crop and read-out produced it. Columns:
 * `path,age,split,x,y,w,h,teacher_age,teacher_dist` — `age` is the ground truth when the source
 * had one (else empty), `teacher_dist` the teacher's distribution as base64 half floats (empty
 * for scalar teachers). Paths are absolute.
 *
 * @example
 * const row = formatRelabelRow({ path: '/d/a.jpg', age: 31 }, 29.4, dist);
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseDatasetSpec } from '../data/dataset-spec.ts';
import { DataError } from '../../core/errors.ts';
import type { CropSpec } from '../../core/contract/face-crop.ts';
import type { Sample } from '../data/dataset.ts';
import { splitCsvLine } from '../data/csv-table.ts';
import { encodeFloat16Base64 } from './float16-base64.ts';
import type { TeacherReadout } from './teacher-descriptor.ts';

export const RELABEL_COLUMNS = ['path', 'age', 'split', 'x', 'y', 'w', 'h', 'teacher_age', 'teacher_dist'] as const;
export const RELABEL_HEADER = RELABEL_COLUMNS.join(',');
export const RELABEL_FORMAT = 'agekit-relabel';

/** The sidecar JSON written beside a relabel CSV. */
export interface RelabelInfo {
  format: typeof RELABEL_FORMAT;
  version: 1;
  /** Teacher name (built-in) or descriptor path. */
  teacher: string;
  inputSize: [number, number];
  crop: CropSpec;
  readout: TeacherReadout;
  /** Distribution length and the age of bin 0, for distribution teachers. */
  bins?: number;
  firstAge?: number;
  distEncoding?: 'float16-base64';
  /** The dataset spec that was relabelled. */
  dataset: string;
}

/** Path of the sidecar of a relabel CSV. */
export function relabelInfoPath(csvPath: string): string {
  return `${csvPath}.json`;
}

/** Quote a CSV cell when it needs it. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

const num = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toFixed(digits))));

/** The key that identifies a face in a relabel file: its path and box cells, as written. */
export function relabelKey(sample: Sample): string {
  const b = sample.box;
  return [sample.path, num(b?.x, 2), num(b?.y, 2), num(b?.w, 2), num(b?.h, 2)].join('|');
}

/** One CSV line (with its newline) for a sample and the teacher's output for it. */
export function formatRelabelRow(sample: Sample, teacherAge: number, dist?: ArrayLike<number>): string {
  const b = sample.box;
  const cells = [
    csvCell(sample.path),
    num(sample.age, 3),
    sample.split ? csvCell(sample.split) : '',
    num(b?.x, 2), num(b?.y, 2), num(b?.w, 2), num(b?.h, 2),
    num(teacherAge, 4),
    dist ? encodeFloat16Base64(dist) : '',
  ];
  return cells.join(',') + '\n';
}

/** Read and check a relabel sidecar; `undefined` when the file does not exist. */
export async function readRelabelInfo(csvPath: string): Promise<RelabelInfo | undefined> {
  const path = relabelInfoPath(csvPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataError(`relabel sidecar cannot be read (${(err as NodeJS.ErrnoException).code})`, { where: path });
  }
  let info: RelabelInfo;
  try {
    info = JSON.parse(text) as RelabelInfo;
  } catch (err) {
    throw new DataError(`relabel sidecar is not valid JSON (${(err as Error).message})`, { where: path, hint: 'delete it and the CSV and relabel again' });
  }
  if (info?.format !== RELABEL_FORMAT || typeof info.teacher !== 'string') {
    throw new DataError(`not an agekit relabel sidecar (format ${JSON.stringify(info?.format)})`, { where: path, hint: 'it must be the JSON that agekit relabel wrote beside the CSV' });
  }
  return info;
}

/** True when two sidecars describe the same teacher labelling (name, crop, input size, read-out). */
export function sameLabelling(a: RelabelInfo, b: RelabelInfo): boolean {
  return a.teacher === b.teacher && JSON.stringify([a.inputSize, a.crop, a.readout]) === JSON.stringify([b.inputSize, b.crop, b.readout]);
}

/**
 * Why two dataset specs are not the same dataset for resuming a relabel file, or undefined when
 * they are: same kind, same folder or file (relative paths resolved against `cwd`) and the same
 * options, except `limit=`, whose seeded subsets grow by extension (a larger limit keeps the
 * smaller one's faces). Resuming with another dataset would merge two datasets into one file.
 */
export function datasetMismatch(recorded: string, asked: string, cwd = process.cwd()): string | undefined {
  if (recorded === asked) return undefined;
  let a, b;
  try { a = parseDatasetSpec(recorded); b = parseDatasetSpec(asked); } catch { return `"${recorded}" is not "${asked}"`; }
  const loc = (l: string) => (isAbsolute(l) ? l : resolve(cwd, l));
  if (a.kind !== b.kind) return `kind ${a.kind} is not ${b.kind}`;
  if (loc(a.location) !== loc(b.location)) return `location ${loc(a.location)} is not ${loc(b.location)}`;
  const keys = new Set([...Object.keys(a.options), ...Object.keys(b.options)].filter((k) => k !== 'limit'));
  for (const k of keys) if (a.options[k] !== b.options[k]) return `option ${k}=${a.options[k] ?? '(none)'} is not ${k}=${b.options[k] ?? '(none)'}`;
  return undefined;
}

/**
 * The state of a partly written relabel CSV, for resuming: the paths already labelled, and the
 * byte length of its complete lines (a kill mid-write can leave half a line, which is dropped).
 */
export interface RelabelProgress { doneKeys: Set<string>; completeBytes: number; totalBytes: number }

/** Read a relabel CSV's complete rows; `undefined` when it does not exist. */
export async function readRelabelProgress(csvPath: string): Promise<RelabelProgress | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(csvPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataError(`relabel file cannot be read (${(err as NodeJS.ErrnoException).code})`, { where: csvPath });
  }
  const completeBytes = buf.lastIndexOf(0x0a) + 1;
  const lines = buf.subarray(0, completeBytes).toString('utf8').split('\n').filter((l) => l !== '');
  if (lines.length > 0 && lines[0] !== RELABEL_HEADER) {
    throw new DataError(`file exists and is not a relabel file (header "${lines[0].slice(0, 80)}")`, { where: csvPath, hint: 'choose another --out; relabel only resumes files it wrote' });
  }
  const doneKeys = new Set<string>();
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    if (cells && cells.length === RELABEL_COLUMNS.length) doneKeys.add([cells[0], ...cells.slice(3, 7)].join('|'));
  }
  return { doneKeys, completeBytes, totalBytes: buf.length };
}
