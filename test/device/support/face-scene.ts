/**
 * Test scenes built at run time from real UTKFace faces: each face is resized to a known size
 * and moved along a known straight path over a textured background, so detection, tracking and
 * ages can be checked against ground truth. Videos are encoded with the real ffmpeg.
 * Nothing is written into the repository: callers pass a temp folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import sharp from 'sharp';

/** One real face from UTKFace's val split. */
export interface UtkFace { path: string; age: number }

/** `n` val faces spread evenly over the list (deterministic), optionally within an age range. */
export function pickValFaces(dir: string, n: number, minAge = 0, maxAge = 116): UtkFace[] {
  const rows = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.trim().split(','))
    .filter((c) => c[4] === 'val' && Number(c[1]) >= minAge && Number(c[1]) <= maxAge)
    .map((c) => ({ path: join(dir, c[0]), age: Number(c[1]) }));
  const step = rows.length / n;
  return Array.from({ length: n }, (_, i) => rows[Math.floor(i * step + step / 2)]);
}

/**
 * A face moving linearly from `from` to `to` (top-left corners) over the scene, `size` px square;
 * with `enter`/`leave` it is in view on frames [enter, leave) only (a person walking in and out).
 */
export interface PlacedFace {
  face: UtkFace; size: number; from: [number, number]; to: [number, number]; enter?: number; leave?: number;
  /** Applied to the resized face tile (size x size RGB), e.g. a simulated head turn. */
  warp?: (rgb: Uint8Array, size: number) => Uint8Array;
}

/** True when face `p` is in view on frame `f`. */
export function inView(p: PlacedFace, f: number): boolean {
  return f >= (p.enter ?? 0) && f < (p.leave ?? Infinity);
}

export interface Scene { width: number; height: number; frames: number; faces: PlacedFace[] }

/** Where face `i` is on frame `f`: its square tile in frame pixels. */
export function faceTile(scene: Scene, i: number, f: number): { x: number; y: number; w: number; h: number } {
  const p = scene.faces[i];
  const t = scene.frames > 1 ? f / (scene.frames - 1) : 0;
  return { x: Math.round(p.from[0] + (p.to[0] - p.from[0]) * t), y: Math.round(p.from[1] + (p.to[1] - p.from[1]) * t), w: p.size, h: p.size };
}

/** A textured, non-uniform background (gradients and soft stripes), RGB. */
export function background(width: number, height: number): Uint8Array {
  const bg = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      bg[o] = 60 + ((x * 120) / width) | 0;
      bg[o + 1] = 80 + 40 * Math.sin(y / 23) | 0;
      bg[o + 2] = 110 + ((y * 90) / height) - 30 * Math.cos(x / 41) | 0;
    }
  }
  return bg;
}

/** Render every frame of a scene: RGB HWC buffers. */
export async function renderScene(scene: Scene): Promise<Uint8Array[]> {
  const bg = background(scene.width, scene.height);
  const tiles = await Promise.all(scene.faces.map(async (p) => {
    const tile = new Uint8Array(await sharp(p.face.path).removeAlpha().resize(p.size, p.size).raw().toBuffer());
    return p.warp ? p.warp(tile, p.size) : tile;
  }));
  const frames: Uint8Array[] = [];
  for (let f = 0; f < scene.frames; f++) {
    const img = bg.slice();
    scene.faces.forEach((p, i) => {
      if (!inView(p, f)) return;
      const { x, y } = faceTile(scene, i, f);
      for (let r = 0; r < p.size; r++) {
        const yy = y + r;
        if (yy < 0 || yy >= scene.height) continue;
        for (let c = 0; c < p.size; c++) {
          const xx = x + c;
          if (xx < 0 || xx >= scene.width) continue;
          const s = (r * p.size + c) * 3, d = (yy * scene.width + xx) * 3;
          img[d] = tiles[i][s]; img[d + 1] = tiles[i][s + 1]; img[d + 2] = tiles[i][s + 2];
        }
      }
    });
    frames.push(img);
  }
  return frames;
}

/** Encode RGB frames into an H.264 MP4 with the real ffmpeg (near-lossless, crf 16). */
export function encodeVideo(frames: Uint8Array[], width: number, height: number, fps: number, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '16', '-pix_fmt', 'yuv420p', out], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    ff.stderr.on('data', (d) => { err += d; });
    ff.on('error', reject);
    ff.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
    (async () => {
      for (const f of frames) if (!ff.stdin.write(f)) await new Promise((r) => ff.stdin.once('drain', r));
      ff.stdin.end();
    })().catch(reject);
  });
}

/** Encode one RGB frame as a JPEG file (for images: sources and the webcam stand-in). */
export async function writeJpeg(rgb: Uint8Array, width: number, height: number, out: string): Promise<void> {
  await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(out);
}
