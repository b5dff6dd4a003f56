/**
 * A small tmpfs for disk-full tests (needs root): mounted on a fresh temp folder, unmounted and
 * removed by `cleanup`. Tests that cannot mount (not root) are skipped with a message outside CI
 * and fail under CI=true, like the data tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

export interface SmallDisk { dir: string; cleanup(): void }

/** Mount a tmpfs of `size` (e.g. `1m`) on a new temp folder; undefined (test skipped or failed) when mounting is not allowed. */
export function mountSmallDisk(t: ExecutionContext, size = '1m'): SmallDisk | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'agekit-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = `cannot mount a tmpfs (${(err as Error).message.split('\n')[0]}): disk-full tests need root`;
    if (process.env.CI === 'true') t.fail(why); else { t.log(`SKIPPED: ${why}`); t.pass(); }
    return undefined;
  }
  const cleanup = () => {
    try { execFileSync('umount', [dir], { stdio: 'pipe' }); } catch { /* already unmounted */ }
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(cleanup);
  return { dir, cleanup };
}
