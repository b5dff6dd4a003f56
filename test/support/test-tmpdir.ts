/**
 * Loaded into every ava worker (package.json ava.nodeArguments): the worker gets its own temp
 * folder (mode 700) as TMPDIR, inherited by the CLIs it spawns, and removes it when it exits, so
 * no test leaves temp folders or copies of dataset faces in /tmp, whatever one forgets to clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.AGEKIT_TEST_TMPDIR) {
  const dir = mkdtempSync(join(tmpdir(), 'agekit-test-'));
  process.env.TMPDIR = dir;
  process.env.AGEKIT_TEST_TMPDIR = dir;
  process.on('exit', () => {
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* a tmpfs still mounted inside: its own teardown reports it */ }
  });
}
