/**
 * Where tests find the real UTKFace images: $AGEKIT_DATA, else ../shared/data/utkface beside the
 * project. Missing data skips a test outside CI (with a message saying so) and fails it under CI=true.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';
import type { ExecutionContext } from 'ava';

const here = dirname(fileURLToPath(import.meta.url));
/** The project's root folder. */
export const projectRoot = resolve(here, '..', '..');

/** Absolute path of the UTKFace folder (it may not exist). */
export function utkfaceDir(): string {
  return resolve(process.env.AGEKIT_DATA ?? resolve(projectRoot, '..', 'shared', 'data', 'utkface'));
}

/** True when the UTKFace folder with labels.csv is there. */
export function hasUtkface(): boolean {
  return existsSync(resolve(utkfaceDir(), 'labels.csv'));
}

const missing = () => `UTKFace data not found at ${utkfaceDir()} (set AGEKIT_DATA to its folder)`;

/**
 * Call first in a test that needs the data: returns the folder, or returns undefined after
 * marking the test skipped-with-a-message (outside CI) / failing it (under CI=true).
 */
export function requireUtkface(t: ExecutionContext): string | undefined {
  if (hasUtkface()) return utkfaceDir();
  if (process.env.CI === 'true') {
    t.fail(`${missing()}: under CI=true the data must be present`);
    return undefined;
  }
  t.log(`SKIPPED: ${missing()}`);
  t.pass();
  return undefined;
}

/**
 * `test` for tests that read UTKFace: registered normally when the data is there; skipped with
 * a printed reason when it is missing outside CI; failing when it is missing under CI=true.
 *
 * @example
 * import test from 'ava';
 * dataTest(test)('loads val', async (t) => { const dir = utkfaceDir(); ... });
 */
export function dataTest<T extends { skip: unknown }>(test: T): T {
  if (hasUtkface() || process.env.CI === 'true') return test;
  if (!warned) { warned = true; process.stderr.write(`agekit tests: skipping data tests: ${missing()}\n`); }
  return (test as unknown as { skip: T }).skip;
}
let warned = false;
