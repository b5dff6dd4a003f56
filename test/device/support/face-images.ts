/** A folder of JPEG frames with real UTKFace faces placed on a background (for images: sources). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pickValFaces, renderScene, writeJpeg } from './face-scene.ts';

export async function writeFaceFrames(utk: string, dir: string, frames = 4): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const faces = pickValFaces(utk, 2);
  const rendered = await renderScene({ width: 320, height: 240, frames, faces: [
    { face: faces[0], size: 100, from: [20, 40], to: [60, 50] }, { face: faces[1], size: 80, from: [200, 100], to: [180, 120] }] });
  for (let i = 0; i < rendered.length; i++) await writeJpeg(rendered[i], 320, 240, join(dir, `${String(i).padStart(3, '0')}.jpg`));
  return dir;
}
