/**
 * Atomic file writes: write to a temporary sibling, fsync, then rename over the target, so a
 * process killed at any moment leaves either the old file or the new one, never half of one.
 *
 * @example
 * await writeFileAtomic('run/best/model.json', JSON.stringify(model));
 */
import { open, readdir, rename, rm, mkdir, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { isWriteFault, writeFaultError } from './errors.ts';

/** Name of the temp sibling of `path` (hidden, with pid and time, ending `.tmp`). */
export function tempFileOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** What the file is, for the error when the disk refuses it (`the report`). Default `the file`. */
  what?: string;
}

/**
 * Write `data` to `path` atomically (same directory temp file + fsync + rename). When the disk
 * refuses (full, I/O error, read-only) the temp file is removed, `path` keeps its previous
 * content, and an OutputError says what was not written and where.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const tmp = tempFileOf(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (isWriteFault(err)) throw writeFaultError(err, options.what ?? 'the file', path, 'any previous version of it is unchanged');
    throw err;
  }
}

/** Files named like agekit's temp files (`.<name>.<pid>.<ms>.tmp`) whose process is gone. */
const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

/** True when a process with this pid exists (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Remove temp files of our own naming left in `dir` by writers that were killed (kill -9, power
 * loss): only names {@link tempFileOf} makes, only when their process is gone and the file is
 * older than `minAgeMs`. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string, minAgeMs = 60_000): Promise<string[]> {
  let names: string[];
  try { names = await readdir(dir); } catch { return []; }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP_FILE.exec(n);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    const s = await stat(join(dir, n)).catch(() => undefined);
    if (!s?.isFile() || Date.now() - s.mtimeMs < minAgeMs) continue;
    await rm(join(dir, n), { force: true });
    removed.push(n);
  }
  return removed;
}
