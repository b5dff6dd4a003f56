/**
 * The fixed frames `agekit bench` measures on, no camera needed: real face images (a folder of
 * face photos, e.g. UTKFace) resized and placed on a textured background at known positions,
 * or the images of a folder as they are. Built at run time; nothing is written.
 *
 * @example
 * const frames = await benchFrames({ facesDir: '../shared/data/utkface/images', count: 20, facesPerFrame: 1 });
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import sharp from 'sharp';
import type { Frame } from '../stages.ts';
import { decodeImage } from '../sources/decode-image.ts';

export interface BenchFramesOptions {
  /** Folder of face photos to composite (one face per image, roughly centred). */
  facesDir?: string;
  /** Folder of ready frames to use as they are (images:<dir>). */
  imagesDir?: string;
  /** Frames to build. Default 30. */
  count?: number;
  /** Default 640x480. */
  size?: { width: number; height: number };
  /** Faces per composited frame. Default 1. */
  facesPerFrame?: number;
  /** Face side in pixels. Default 160. */
  facePx?: number;
}

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** A textured background (gradients and stripes): not flat, so the detector does real work. */
function background(width: number, height: number): Uint8Array {
  const bg = new Uint8Array(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      bg[o] = 60 + ((x * 120) / width) | 0;
      bg[o + 1] = 80 + 40 * Math.sin(y / 23) | 0;
      bg[o + 2] = 110 + ((y * 90) / height) - 30 * Math.cos(x / 41) | 0;
    }
  }
  return bg;
}

/** Build the frames; `where` says what they are made of, for the report. */
export async function benchFrames(o: BenchFramesOptions): Promise<{ frames: Frame[]; where: string }> {
  const count = o.count ?? 30;
  const size = o.size ?? { width: 640, height: 480 };
  if (o.imagesDir) {
    const files = (await readdir(o.imagesDir)).filter((f) => IMAGE.test(extname(f))).sort().slice(0, count);
    const frames: Frame[] = [];
    for (const f of files) {
      const img = await decodeImage(join(o.imagesDir, f), join(o.imagesDir, f), o.size);
      frames.push({ index: frames.length, tMs: frames.length * 33.3, width: img.width, height: img.height, rgb: img.data });
    }
    return { frames, where: `${frames.length} images from ${o.imagesDir}` };
  }
  const bg = background(size.width, size.height);
  const perFrame = o.facesPerFrame ?? 1;
  const facePx = Math.min(o.facePx ?? 160, size.height, size.width);
  let faces: string[] = [];
  if (o.facesDir && existsSync(o.facesDir)) faces = (await readdir(o.facesDir)).filter((f) => IMAGE.test(f)).sort();
  const frames: Frame[] = [];
  // Faces spread evenly over the folder (deterministic), placed along a diagonal path.
  const step = faces.length ? Math.max(1, Math.floor(faces.length / (count * perFrame))) : 0;
  for (let i = 0; i < count; i++) {
    const rgb = bg.slice();
    for (let k = 0; k < perFrame && faces.length; k++) {
      const file = join(o.facesDir!, faces[((i * perFrame + k) * step) % faces.length]);
      const tile = new Uint8Array(await sharp(file).removeAlpha().resize(facePx, facePx).raw().toBuffer());
      const x0 = Math.round(((size.width - facePx) * ((i + k * 0.37) % count)) / Math.max(1, count - 1)) % Math.max(1, size.width - facePx);
      const y0 = Math.round(((size.height - facePx) * (k + 1)) / (perFrame + 1));
      for (let r = 0; r < facePx; r++) rgb.set(tile.subarray(r * facePx * 3, (r + 1) * facePx * 3), ((y0 + r) * size.width + x0) * 3);
    }
    frames.push({ index: i, tMs: i * 33.3, width: size.width, height: size.height, rgb });
  }
  return { frames, where: faces.length ? `${count} ${size.width}x${size.height} frames, ${perFrame} face(s) of ${facePx} px from ${o.facesDir}` : `${count} ${size.width}x${size.height} frames without faces (no face folder found)` };
}
