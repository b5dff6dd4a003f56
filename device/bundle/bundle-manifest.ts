/**
 * A bundle's manifest: manifest.json (target, versions, and the size and sha256 of every file)
 * and SHA256SUMS (the same sums in `sha256sum -c` form, plus manifest.json's own), which
 * install.sh verifies with coreutils before and after copying. Also the size report of a bundle:
 * its unpacked bytes and its largest parts.
 *
 * @example
 * const m = await writeBundleManifest(out, { target: 'linux-arm64', agekit: '0.2.0', node: '20.20.2', packages });
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { AgekitError } from '../../core/errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SUMS_FILE = 'SHA256SUMS';

export interface BundleFile { path: string; bytes: number; sha256: string }

export interface BundleManifest {
  /** e.g. `linux-arm64`. */
  target: string;
  agekit: string;
  /** The bundled Node.js version. */
  node: string;
  /** ISO time the bundle was built. */
  built: string;
  /** Versions of everything else inside (packages, compilers, models). */
  contents: Record<string, unknown>;
  /** Sum of `files[].bytes`. */
  bytes: number;
  files: BundleFile[];
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every regular file under `dir`, relative paths with `/`, sorted. Links are refused: a bundle holds files only. */
export async function listBundleFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) found.push(relative(dir, p).split('\\').join('/'));
      else throw new AgekitError(`not a regular file (${(await lstat(p)).isSymbolicLink() ? 'a symbolic link' : 'a special file'})`, { where: p, hint: 'a bundle holds regular files only; build it again into an empty folder' });
    }
  };
  await walk(dir);
  return found.sort();
}

/** Hash every file of the bundle in `out` and write manifest.json, then SHA256SUMS over everything. */
export async function writeBundleManifest(out: string, about: Omit<BundleManifest, 'files' | 'bytes' | 'built'>): Promise<BundleManifest> {
  const files: BundleFile[] = [];
  for (const path of await listBundleFiles(out)) {
    if (path === MANIFEST_FILE || path === SUMS_FILE) continue;
    files.push({ path, bytes: (await lstat(join(out, path))).size, sha256: await sha256(join(out, path)) });
  }
  const manifest: BundleManifest = { ...about, built: new Date().toISOString(), bytes: files.reduce((a, f) => a + f.bytes, 0), files };
  // `target` on a line of its own: install.sh reads it with sed, before any Node.js can run.
  await writeFileAtomic(join(out, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  const sums = [...files, { path: MANIFEST_FILE, sha256: await sha256(join(out, MANIFEST_FILE)) }]
    .sort((a, b) => a.path.localeCompare(b.path)).map((f) => `${f.sha256}  ${f.path}\n`).join('');
  await writeFileAtomic(join(out, SUMS_FILE), sums);
  return manifest;
}

/** A part of the bundle and its unpacked size. */
export interface BundlePart { part: string; bytes: number }

/**
 * The bundle's files grouped into parts (node/bin/node, each package in node_modules, native/,
 * models/, the .mjs ...), largest first: what the size report prints.
 */
export function bundleParts(files: Array<Pick<BundleFile, 'path' | 'bytes'>>): BundlePart[] {
  const parts = new Map<string, number>();
  for (const f of files) {
    const p = f.path.split('/');
    let part: string;
    if (p[0] === 'node_modules') part = p.slice(0, p[1]?.startsWith('@') ? 3 : 2).join('/') + '/';
    else if (p[0] === 'node' && p[1] === 'bin') part = f.path;
    else if (p.length > 1) part = `${p[0]}/`;
    else part = f.path;
    parts.set(part, (parts.get(part) ?? 0) + f.bytes);
  }
  return [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}
