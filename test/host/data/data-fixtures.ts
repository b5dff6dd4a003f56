/**
 * Temporary dataset folders for the data tests, built from real UTKFace images at test time:
 * copies of a few real faces (keeping their UTKFace names), a truncated JPEG, a text file named
 * .jpg, and label files with bad rows. Everything goes under os.tmpdir().
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { utkfaceDir } from '../../support/shared-data.ts';

/** The first `n` rows of the real labels.csv (path, age, split), spread over ages. */
export async function realRows(n: number): Promise<{ path: string; name: string; age: number; split: string }[]> {
  const text = await readFile(join(utkfaceDir(), 'labels.csv'), 'utf8');
  const rows = text.trim().split('\n').slice(1).map((l) => l.split(','));
  // Every k-th row, so the ages (the file is sorted by name, i.e. by age) vary.
  const step = Math.max(1, Math.floor(rows.length / n));
  return Array.from({ length: n }, (_, i) => rows[i * step]).map((r) => ({ path: join(utkfaceDir(), r[0]), name: r[0].split('/').pop()!, age: Number(r[1]), split: r[4] }));
}

export interface TempDir { dir: string; cleanup(): Promise<void> }

export async function tempDir(prefix = 'agekit-data-'): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Copy real images into `dir/sub`, keeping their UTKFace file names. Returns the copies. */
export async function copyRealImages(dir: string, n: number, sub = 'images') {
  await mkdir(join(dir, sub), { recursive: true });
  const rows = await realRows(n);
  for (const r of rows) await copyFile(r.path, join(dir, sub, r.name));
  return rows.map((r) => ({ ...r, rel: `${sub}/${r.name}`, abs: join(dir, sub, r.name) }));
}

/** A JPEG cut short (first 3000 bytes of a real face) and a text file with a .jpg name. */
export async function writeBadImages(dir: string, sub = 'images'): Promise<{ truncated: string; text: string }> {
  await mkdir(join(dir, sub), { recursive: true });
  const [row] = await realRows(1);
  const bytes = await readFile(row.path);
  const truncated = join(dir, sub, '30_0_0_20170101000000001.jpg.chip.jpg');
  await writeFile(truncated, bytes.subarray(0, 3000));
  const text = join(dir, sub, '31_1_0_20170101000000002.jpg.chip.jpg');
  await writeFile(text, 'this is not an image\n');
  return { truncated, text };
}

/** A 1600x1200 photo at `dir/big.jpg` with a real face, upscaled 4x, at box {500, 300, 800, 800}. */
export async function writeLargePhoto(dir: string): Promise<{ path: string; box: { x: number; y: number; w: number; h: number } }> {
  const [face] = await copyRealImages(dir, 1);
  const path = join(dir, 'big.jpg');
  const faceBig = await sharp(face.abs).resize(800, 800).toBuffer();
  await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 90, g: 120, b: 60 } } })
    .composite([{ input: faceBig, left: 500, top: 300 }]).jpeg({ quality: 92 }).toFile(path);
  return { path, box: { x: 500, y: 300, w: 800, h: 800 } };
}
