import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { cleanRootScenario } from '../support/bundle-scenario.ts';

const tmp = mkdtempSync(join(tmpdir(), 'agekit-bundle-arm64-'));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

dataTest(test)('the linux-arm64 bundle installs offline in a clean emulated Debian 12 arm64 root with no Node or compiler, finds real faces with plausible ages, and benches on XNNPACK', async (t) => {
  // Building the root when it is missing takes minutes under emulation; the run itself about two.
  t.timeout(40 * 60_000);
  const utk = requireUtkface(t);
  if (!utk) return;
  const figures = await cleanRootScenario(t, 'linux-arm64', utk, tmp);
  if (figures) t.true(figures.unpackedMB < 150, `arm64 bundle ${figures.unpackedMB} MB unpacked (aim: under 150)`);
});
