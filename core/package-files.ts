/**
 * Where agekit's own files are at run time. The same module runs from the TypeScript sources
 * (core/), from the compiled package (dist/core/) and inside the device bundle, so paths are
 * found by walking up from here rather than by a fixed number of '..'.
 *
 * @example
 * const models = join(agekitRoot() ?? '.', 'samples', 'models');
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function* ancestors(start: string): Generator<string> {
  let dir = resolve(start);
  for (;;) {
    yield dir;
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** The folder of agekit's package.json (a checkout or an installed package), or undefined inside a bundle. */
export function agekitRoot(): string | undefined {
  for (const dir of ancestors(here)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'agekit') return dir;
    } catch {
      // An unreadable package.json on the way up is not ours: keep looking.
    }
  }
  return undefined;
}

/** The folder of an installed npm package as Node would find it from agekit's code, or undefined. */
export function installedPackageDir(name: string): string | undefined {
  for (const dir of ancestors(here)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}
