/**
 * One writer per run folder. Two trainers writing the same --out would interleave epochs in
 * metrics.jsonl and overwrite each other's best/ and last/; the second one now stops at once,
 * naming the process that holds the folder. A lock left by a killed run (its process is gone)
 * is taken over, so `--resume` after a kill just works.
 *
 * @example
 * const release = await lockRunFolder('runs/a');
 * try { ...train... } finally { await release(); }
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';

export const LOCK_FILE = '.lock';

interface LockOwner { pid: number; host: string; startedAt: string }

/** True if a process with this id exists on this machine (EPERM: it exists but belongs to someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined; // vanished, or cut short by a kill while it was written: treated as stale
  }
}

/**
 * Take the run folder's lock (the folder must exist). Throws a UsageError naming the owner when
 * a live process holds it. @returns a function that releases the lock
 */
export async function lockRunFolder(dir: string, log: (line: string) => void = () => {}): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try { await fh.writeFile(JSON.stringify(me) + '\n'); } finally { await fh.close(); }
      return async () => { await unlink(path).catch(() => undefined); };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(path);
    if (owner && owner.host !== me.host) {
      throw new UsageError(`is in use by process ${owner.pid} on ${owner.host} (since ${owner.startedAt})`, { where: dir, hint: `use another --out, or delete ${path} if that run has ended` });
    }
    if (owner && processExists(owner.pid)) {
      throw new UsageError(`is in use by another agekit process (pid ${owner.pid}, since ${owner.startedAt})`, { where: dir, hint: 'wait for it to finish or use another --out' });
    }
    log(`run folder lock ${path} was left by ${owner ? `process ${owner.pid}, which has ended` : 'an unreadable lock file'}: taking it over`);
    await unlink(path).catch(() => undefined);
  }
  throw new UsageError('lock could not be taken (another process keeps re-creating it)', { where: path, hint: 'check that no other agekit run uses this folder' });
}
