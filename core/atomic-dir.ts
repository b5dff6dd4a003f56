/**
 * Atomic replacement of a whole folder (a checkpoint): files are written into a hidden temp
 * folder beside the target, then swapped in with renames, so a process killed at any moment
 * leaves either the previous complete folder or the new one, never a mix.
 *
 * The swap is two renames (`best` -> `.best.previous`, `.best.tmp-*` -> `best`) because rename(2)
 * cannot replace a non-empty folder. A kill between them leaves only `.best.previous`:
 * {@link recoverDir} (called by every reader) puts it back.
 *
 * @example
 * const tmp = await makeTempDir('run/last');
 * await writeFileAtomic(join(tmp, 'model.json'), json);
 * await commitDir(tmp, 'run/last');
 */
import { mkdir, rename, rm, readdir, open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Hidden sibling that holds the previous version during a swap. */
export function previousDirOf(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.previous`);
}

async function exists(path: string): Promise<boolean> {
  try { await stat(path); return true; } catch { return false; }
}

/** Flush a folder's entries (renames) to disk; best effort where the OS does not allow it. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  } catch { /* some file systems refuse fsync on folders; the rename is still atomic */ }
}

/** Create an empty hidden temp folder beside `dir` for its next version. */
export async function makeTempDir(dir: string): Promise<string> {
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  return tmp;
}

/**
 * Put a finished temp folder in place of `dir` (which may not exist yet).
 * Every file in `tmp` must already be written and flushed.
 */
export async function commitDir(tmp: string, dir: string): Promise<void> {
  const parent = dirname(dir);
  const previous = previousDirOf(dir);
  await syncDir(tmp);
  await recoverDir(dir);
  if (await exists(dir)) await rename(dir, previous);
  await rename(tmp, dir);
  await syncDir(parent);
  await rm(previous, { recursive: true, force: true });
}

/**
 * Repair the state a kill during {@link commitDir} can leave: if `dir` is missing but its
 * previous version is there, move it back; if both are there, drop the previous one.
 * @returns true when `dir` exists afterwards
 */
export async function recoverDir(dir: string): Promise<boolean> {
  const previous = previousDirOf(dir);
  const hasDir = await exists(dir);
  if (await exists(previous)) {
    if (hasDir) await rm(previous, { recursive: true, force: true });
    else { await rename(previous, dir); return true; }
  }
  return hasDir;
}

/**
 * The folder to read for `dir` without changing anything: `dir` itself, or its previous version
 * when a writer was killed (or is) between the two renames; undefined when neither exists.
 */
export async function readableDir(dir: string): Promise<string | undefined> {
  if (await exists(dir)) return dir;
  const previous = previousDirOf(dir);
  return (await exists(previous)) ? previous : undefined;
}

/** Remove temp folders left in `parent` by killed writers (never the current process's). */
export async function removeStaleTempDirs(parent: string): Promise<string[]> {
  let names: string[];
  try { names = await readdir(parent); } catch { return []; }
  const stale = names.filter((n) => /^\..+\.tmp-\d+-\d+$/.test(n) && !n.includes(`.tmp-${process.pid}-`));
  for (const n of stale) await rm(join(parent, n), { recursive: true, force: true });
  return stale;
}
