/**
 * A face as a camera sees it: a dataset face placed in a 640x480 frame at a drawn size and
 * position, over a room-like background (wall with lighting, floor, furniture blocks, defocused),
 * on shoulders, with sensor noise. Everything is drawn from one seeded generator, so the same
 * seed gives the same frame. The face's true box in the frame is returned with it.
 *
 * @example
 * const rng = new SeededRandom(mixSeeds(seed, i));
 * const { frame, faceBox } = renderCameraScene(await readRgb(sample.path), sample.box, rng);
 */
import { cropFace, type Box, type RgbImage } from '../../core/contract/face-crop.ts';
import { DataError } from '../../core/errors.ts';
import type { SeededRandom } from '../data/seeded-random.ts';
import { withDefaults } from '../../device/option-defaults.ts';

export interface CameraSceneOptions {
  /** Frame size [width, height], pixels. Default [640, 480]. */
  frameSize?: [number, number];
  /** Range [min, max] of the side of the face's true box in the frame, pixels, drawn uniformly. Default [90, 190]. */
  facePx?: [number, number];
  /** Standard deviation of the added sensor noise, 0..255 levels. Default 2. */
  noise?: number;
}

export const DEFAULT_CAMERA_SCENE: Required<CameraSceneOptions> = { frameSize: [640, 480], facePx: [90, 190], noise: 2 };

export interface CameraScene {
  /** The frame, RGB HWC. */
  frame: RgbImage;
  /** The face's true box in frame pixels: the sample's box (or its whole chip) where it was placed. */
  faceBox: Box;
}

/**
 * Context pasted around a face that comes with a box in a larger photo, as a fraction of the box
 * side on each side (the detector needs the head around the face). A face without a box is an
 * aligned chip and is pasted whole.
 */
const BOXED_CONTEXT = 0.4;
/** The pasted tile's border blended into the background, as a fraction of its side (no hard edge). */
const FEATHER = 0.03;
/** Background detail is drawn at 1/BG_SHRINK of the frame and enlarged: a defocused room. */
const BG_SHRINK = 8;

/** Check scene options at the boundary; errors name the option and the value received. */
export function checkCameraSceneOptions(o: Required<CameraSceneOptions>): void {
  const [w, h] = o.frameSize;
  const [lo, hi] = o.facePx;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 32 && h >= 32)) {
    throw new DataError(`frame size must be two integers >= 32 (got ${JSON.stringify(o.frameSize)})`, { where: 'frameSize', hint: 'e.g. [640, 480]' });
  }
  if (!(lo >= 16 && hi >= lo && hi <= Math.min(w, h))) {
    throw new DataError(`face sizes must satisfy 16 <= min <= max <= the frame's shorter side ${Math.min(w, h)} (got ${lo}-${hi})`, { where: 'facePx', hint: 'e.g. 90-190 for a 640x480 frame' });
  }
  if (!(o.noise >= 0)) throw new DataError(`noise must be >= 0 (got ${o.noise})`, { where: 'noise' });
}

/** A room-like background: lit wall, floor, a few furniture or window blocks, all defocused. */
export function renderBackground(width: number, height: number, rng: SeededRandom): Uint8Array {
  const sw = Math.ceil(width / BG_SHRINK) + 1, sh = Math.ceil(height / BG_SHRINK) + 1;
  const small = new Float32Array(sw * sh * 3);
  const tint = () => [rng.next() * 50 - 25, rng.next() * 50 - 25, rng.next() * 50 - 25];
  const grey = 70 + rng.next() * 130;
  const wall = tint().map((t) => grey + t);
  const floorY = (0.62 + rng.next() * 0.25) * sh;
  const floorGrey = 40 + rng.next() * 110;
  const floor = tint().map((t) => floorGrey + t);
  const lightX = rng.next(), lightGain = 0.25 + rng.next() * 0.3;
  const blocks = Array.from({ length: 2 + rng.int(4) }, () => {
    const bw = (0.08 + rng.next() * 0.3) * sw, bh = (0.1 + rng.next() * 0.5) * sh;
    const bright = rng.next() < 0.2;
    const g = bright ? 190 + rng.next() * 60 : 30 + rng.next() * 170;
    return { x: rng.next() * (sw - bw), y: rng.next() * (sh - bh), w: bw, h: bh, c: tint().map((t) => g + t) };
  });
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const light = 1 - lightGain / 2 + lightGain * (1 - Math.abs(x / sw - lightX)) - 0.15 * (y / sh);
      let c = y >= floorY ? floor : wall;
      for (const b of blocks) if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) c = b.c;
      const o = (y * sw + x) * 3;
      for (let ch = 0; ch < 3; ch++) small[o + ch] = c[ch] * light;
    }
  }
  // Bilinear enlargement: the room is out of focus behind the person.
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const fy = y / BG_SHRINK, y0 = Math.floor(fy), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x / BG_SHRINK, x0 = Math.floor(fx), tx = fx - x0;
      const p00 = (y0 * sw + x0) * 3, p01 = p00 + 3, p10 = p00 + sw * 3, p11 = p10 + 3;
      const o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const v = (1 - ty) * ((1 - tx) * small[p00 + ch] + tx * small[p01 + ch]) + ty * ((1 - tx) * small[p10 + ch] + tx * small[p11 + ch]);
        out[o + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

/** Mean colour of a rectangle of an image (for the neck under a face). */
function meanColour(img: RgbImage, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++, n++) {
      const o = (y * img.width + x) * 3;
      sum[0] += img.data[o]; sum[1] += img.data[o + 1]; sum[2] += img.data[o + 2];
    }
  }
  return sum.map((s) => (n ? s / n : 128));
}

function fillEllipse(frame: RgbImage, cx: number, cy: number, rx: number, ry: number, c: number[]): void {
  const { width: W, height: H, data } = frame;
  for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(H, Math.ceil(cy + ry)); y++) {
    const dy = (y + 0.5 - cy) / ry;
    const half = rx * Math.sqrt(Math.max(0, 1 - dy * dy));
    for (let x = Math.max(0, Math.round(cx - half)); x < Math.min(W, Math.round(cx + half)); x++) {
      const o = (y * W + x) * 3;
      data[o] = c[0]; data[o + 1] = c[1]; data[o + 2] = c[2];
    }
  }
}

/**
 * Render one camera frame holding `face` (a decoded image; `box` is its face box, absent for an
 * aligned chip whose whole image is the face). Draws size, position and background from `rng`.
 */
export function renderCameraScene(face: RgbImage, box: Box | undefined, rng: SeededRandom, options: CameraSceneOptions = {}): CameraScene {
  const o = withDefaults(DEFAULT_CAMERA_SCENE, options);
  checkCameraSceneOptions(o);
  const [W, H] = o.frameSize;
  const src = box ?? { x: 0, y: 0, w: face.width, h: face.height };
  const context = box ? BOXED_CONTEXT : 0;
  const side = o.facePx[0] + rng.next() * (o.facePx[1] - o.facePx[0]);
  const s = side / Math.max(src.w, src.h);
  const faceW = src.w * s, faceH = src.h * s;
  const faceBox: Box = { x: rng.next() * (W - faceW), y: rng.next() * (H - faceH), w: faceW, h: faceH };
  const frame: RgbImage = { width: W, height: H, data: renderBackground(W, H, rng) };

  // Neck and shoulders below the face, so the face is not a floating tile.
  const cx = faceBox.x + faceW / 2, bottom = faceBox.y + faceH;
  const skin = meanColour(face, Math.round(src.x + src.w * 0.35), Math.round(src.y + src.h * 0.8), Math.round(src.x + src.w * 0.65), Math.round(src.y + src.h * 0.95));
  const cloth = [rng.next() * 200 + 20, rng.next() * 200 + 20, rng.next() * 200 + 20];
  fillEllipse(frame, cx, bottom + side * 0.95, side * 0.95, side * 0.6, cloth);
  fillEllipse(frame, cx, bottom + side * 0.12, side * 0.15, side * 0.22, skin);

  // The face with its context, resampled by the shared crop code, blended in with a thin feather.
  const tileSide = Math.max(1, Math.round(Math.max(faceW, faceH) * (1 + 2 * context)));
  const tile = cropFace(face, src, { square: true, margin: context }, tileSide, tileSide);
  const tx = Math.round(cx - tileSide / 2), ty = Math.round(faceBox.y + faceH / 2 - tileSide / 2);
  const feather = Math.max(1, FEATHER * tileSide);
  for (let r = 0; r < tileSide; r++) {
    const y = ty + r;
    if (y < 0 || y >= H) continue;
    for (let c = 0; c < tileSide; c++) {
      const x = tx + c;
      if (x < 0 || x >= W) continue;
      const edge = Math.min(r + 0.5, c + 0.5, tileSide - r - 0.5, tileSide - c - 0.5);
      const a = Math.min(1, edge / feather);
      const si = (r * tileSide + c) * 3, di = (y * W + x) * 3;
      for (let ch = 0; ch < 3; ch++) frame.data[di + ch] = Math.round(a * tile[si + ch] + (1 - a) * frame.data[di + ch]);
    }
  }

  if (o.noise > 0) {
    // A table of normal draws read from a random offset: per-pixel noise at the cost of a copy.
    const table = new Float32Array(4099);
    for (let i = 0; i < table.length; i++) table[i] = rng.normal(0, o.noise);
    let k = rng.int(table.length);
    const d = frame.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i] + table[k];
      d[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      if (++k === table.length) k = 0;
    }
  }
  return { frame, faceBox };
}
