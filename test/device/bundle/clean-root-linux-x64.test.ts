import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { cleanRootScenario } from '../support/bundle-scenario.ts';

const tmp = mkdtempSync(join(tmpdir(), 'agekit-bundle-x64-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

dataTest(test)('the linux-x64 bundle installs offline in a clean Debian 12 amd64 root with no Node or compiler, finds real faces with plausible ages, refuses a damaged copy', async (t) => {
  t.timeout(30 * 60_000);
  const utk = requireUtkface(t);
  if (!utk) return;
  await cleanRootScenario(t, 'linux-x64', utk, tmp);
});
