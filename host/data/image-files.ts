/**
 * Finding image files on disk: the extensions sharp decodes, a recursive listing in a stable
 * (sorted) order, and the existence check loaders use before accepting a label row.
 *
 * @example
 * const files = await listImageFiles('/data/unlabelled'); // absolute paths, sorted
 */
import { readdir, stat } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { DataError } from '../../core/errors.ts';

/** File extensions treated as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif']);

/** True when the file name has an image extension. */
export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** True when `path` is an existing regular file. */
export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * An existence check for many files in few folders (a label file's rows): each folder is listed
 * once, instead of one stat per row (UTKFace: one readdir instead of 19k stats).
 */
export function createFileChecker(): (path: string) => boolean {
  // Per folder: name -> true for a regular file, false for a symbolic link (resolved on demand).
  const folders = new Map<string, Map<string, boolean> | null>();
  return (path: string) => {
    const dir = dirname(path);
    let entries = folders.get(dir);
    if (entries === undefined) {
      try {
        entries = new Map(readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => [e.name, e.isFile()]));
      } catch {
        entries = null;
      }
      folders.set(dir, entries);
    }
    const regular = entries?.get(basename(path));
    return regular === undefined ? false : regular || isFile(path);
  };
}

/** Throw a DataError naming `dir` (and the spec) unless it is an existing directory. */
export async function requireDirectory(dir: string, spec: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new DataError(`directory not found (${dir})`, { where: spec, hint: 'check the path; relative paths are resolved from the current directory' });
  if (!st.isDirectory()) throw new DataError(`not a directory (${dir})`, { where: spec, hint: 'this dataset kind takes a folder' });
}

/** Every image file under `dir`, recursively, as absolute paths in sorted order. Hidden entries are ignored. */
export async function listImageFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(folder, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && isImageName(e.name)) out.push(resolve(p));
    }
  };
  await walk(dir);
  return out;
}
