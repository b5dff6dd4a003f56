/**
 * A small CSV reader for label files: comma separated, optional double quotes (with "" inside),
 * a header row, CRLF or LF. Rows keep their 1-based line number so skipped rows can be named
 * `labels.csv:17`.
 *
 * @example
 * const table = await readCsvTable('/data/labels.csv'); // { header: ['path', 'age'], rows: [...] }
 */
import { readFile } from 'node:fs/promises';
import { DataError } from '../../core/errors.ts';

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  cells: string[];
}

export interface CsvTable {
  /** Column names, trimmed and lower-cased. */
  header: string[];
  /** Non-empty data rows, in file order. */
  rows: CsvRow[];
}

/** Split one CSV line into cells; `undefined` when a quote is left open. */
export function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  if (quoted) return undefined;
  cells.push(cell.trim());
  return cells;
}

/**
 * Read a CSV label file. A missing or empty file is a DataError naming it; a row whose quotes
 * do not close comes back with no cells, for the caller to count as malformed.
 */
export async function readCsvTable(file: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'label file not found' : `label file cannot be read (${code ?? String(err)})`, {
      where: file,
      hint: code === 'ENOENT' ? 'check the path in the dataset spec' : 'check its permissions',
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM from spreadsheet exports
  const lines = text.split(/\r?\n/);
  let headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new DataError('label file is empty', { where: file, hint: 'it needs a header row such as path,age' });
  const header = (splitCsvLine(lines[headerIndex]) ?? []).map((h) => h.toLowerCase());
  const rows: CsvRow[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    rows.push({ line: i + 1, cells: splitCsvLine(lines[i]) ?? [] });
  }
  return { header, rows };
}

/** Index of each named column; throws naming the file and the header found when a required one is absent. */
export function columnIndex(table: CsvTable, file: string, required: readonly string[], optional: readonly string[] = []): Record<string, number> {
  const index: Record<string, number> = {};
  const missing = required.filter((name) => !table.header.includes(name));
  if (missing.length > 0) {
    throw new DataError(`label file lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${table.header.join(',') || 'empty'})`, {
      where: file,
      hint: `the first row must name the columns, at least ${required.join(',')}`,
    });
  }
  for (const name of [...required, ...optional]) {
    const i = table.header.indexOf(name);
    if (i >= 0) index[name] = i;
  }
  return index;
}
