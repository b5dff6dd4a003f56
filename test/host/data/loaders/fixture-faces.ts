/**
 * Test fixtures for the seed-layout loaders: real UTKFace faces placed at known boxes on larger
 * canvases, written into a temporary folder in each dataset's layout. Nothing is committed.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Box, RgbImage } from '../../../../core/contract/face-crop.ts';
import { cropFace } from '../../../../core/contract/face-crop.ts';
import { readRgb } from '../../../../core/images.ts';

export interface UtkFace { path: string; age: number }

/** `n` UTKFace faces spread over the age range (deterministic: every k-th row of labels.csv sorted by path). */
export async function pickFaces(utkDir: string, n: number): Promise<UtkFace[]> {
  const lines = (await readFile(join(utkDir, 'labels.csv'), 'utf8')).trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',')).map(([p, a]) => ({ path: join(utkDir, p), age: Number(a) })).sort((a, b) => a.path.localeCompare(b.path));
  const step = Math.floor(rows.length / n);
  return Array.from({ length: n }, (_, i) => rows[i * step + 7]);
}

const roots: string[] = [];

/** A fresh temporary folder; {@link removeTempRoots} deletes every one made in this process. */
export async function tempRoot(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `agekit-${name}-`));
  roots.push(dir);
  return dir;
}

export async function removeTempRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/**
 * Write a JPEG (or PNG by extension) of a `canvasW x canvasH` grey canvas with the face resized
 * into `box` (integer box). Returns the face as placed (the resized face pixels), for crop checks.
 */
export async function placeFace(face: string, out: string, canvasW: number, canvasH: number, box: Box, background = 90): Promise<RgbImage> {
  const resized = await sharp(face).resize(box.w, box.h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const canvas = sharp({ create: { width: canvasW, height: canvasH, channels: 3, background: { r: background, g: background, b: background } } })
    .composite([{ input: resized, raw: { width: box.w, height: box.h, channels: 3 }, left: box.x, top: box.y }]);
  await mkdir(dirname(out), { recursive: true });
  await (out.endsWith('.png') ? canvas.png() : canvas.jpeg({ quality: 95 })).toFile(out);
  return { width: box.w, height: box.h, data: new Uint8Array(resized) };
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Mean absolute pixel difference between the crop of `box` in the image file and the placed face, both at 48x48. */
export async function cropDifference(imagePath: string, box: Box, placed: RgbImage): Promise<number> {
  const img = await readRgb(imagePath);
  const got = cropFace(img, box, { square: false, margin: 0 }, 48, 48);
  const want = cropFace(placed, { x: 0, y: 0, w: placed.width, h: placed.height }, { square: false, margin: 0 }, 48, 48);
  let sum = 0;
  for (let i = 0; i < got.length; i++) sum += Math.abs(got[i] - want[i]);
  return sum / got.length;
}
