/**
 * Reading the seed framework's annotation files: Python `csv.reader(delimiter=',', quotechar='|',
 * skipinitialspace=True)` rows, and the checks every seed layout needs (folder and file present,
 * numeric fields). Errors name the file and the layout expected.
 *
 * @example
 * const rows = await readSeedCsv('/data/vggface2/annotations/train.detected.csv', 'vggface2');
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { DataError } from '../../../core/errors.ts';

/** Split one CSV line: `,` separates, `|` quotes (so a quoted field may hold commas), spaces after a delimiter dropped. */
export function splitSeedCsvLine(line: string, delimiter = ',', quote = '|'): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  let atStart = true;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === quote) {
        if (line[i + 1] === quote) { field += quote; i++; } else quoted = false;
      } else field += ch;
      continue;
    }
    if (atStart && ch === ' ' && delimiter !== ' ') continue;
    if (atStart && ch === quote) { quoted = true; atStart = false; continue; }
    if (ch === delimiter) { out.push(field); field = ''; atStart = true; continue; }
    field += ch;
    atStart = false;
  }
  out.push(field);
  return out;
}

/** Read a delimited annotation file into rows of fields; blank lines are dropped. */
export async function readSeedCsv(path: string, kind: string, delimiter = ','): Promise<string[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new DataError(`annotation file is missing`, { where: path, hint: `see the README's ${kind} section for the expected layout` });
  }
  const rows: string[][] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    rows.push(splitSeedCsvLine(raw, delimiter));
  }
  return rows;
}

/** Throw a DataError naming the spec when the dataset folder is not there. */
export async function requireDir(path: string, kind: string): Promise<void> {
  const s = await stat(path).catch(() => undefined);
  if (!s?.isDirectory()) {
    throw new DataError(`${s ? 'is not a directory' : 'directory is missing'}`, { where: path, hint: `${kind}:<root> must name the dataset's root folder (see the README's ${kind} section)` });
  }
}

/** Parse a number field; undefined when it is not a finite number. */
export function numberField(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Round to 3 decimals, as the seed stores its float ages. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The dataset's root folder for what the user pointed at: the folder itself when it has the
 * layout, else a child with one of the given names (the seed's own folder name, e.g.
 * `vggface2_data`), else the parent (a user pointing at `annotations/` or the image folder).
 * Without a match, the folder itself: the loader then reports what is missing there.
 */
export function findDatasetRoot(dir: string, hasLayout: (root: string) => boolean, children: string[] = []): string {
  // A folder that does not exist is reported as such, not replaced by its parent.
  if (!existsSync(dir)) return dir;
  const candidates = [dir, ...children.map((c) => join(dir, c)), dirname(dir)];
  return candidates.find((c) => hasLayout(c)) ?? dir;
}
