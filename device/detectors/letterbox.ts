/**
 * Fit a frame into a square detector input without distorting faces: scale the longer side to
 * `size`, centre it, pad with zeros, and normalize on the fly. Bilinear, one pass, no allocation
 * when `out` is given.
 *
 * @example
 * const { input, map } = letterbox(frame, 256, -1, 1); // input: Float32Array [256, 256, 3] in -1..1
 * const xFrame = (xInput - map.padX) / map.scale;
 */
import type { RgbImage } from '../contract/face-crop.ts';

/** How input pixels map back to frame pixels: frame = (input - pad) / scale. */
export interface LetterboxMap { scale: number; padX: number; padY: number }

/**
 * @param lo value of a 0 pixel, @param hi value of a 255 pixel (BlazeFace: -1 and 1)
 * @returns HWC float32 `size x size x 3`, and the map back to frame pixels
 */
export function letterbox(img: RgbImage, size: number, lo: number, hi: number, out?: Float32Array): { input: Float32Array; map: LetterboxMap } {
  const { width: W, height: H, data } = img;
  const scale = size / Math.max(W, H);
  const padX = (size - W * scale) / 2, padY = (size - H * scale) / 2;
  const input = out ?? new Float32Array(size * size * 3);
  const k = (hi - lo) / 255;
  // Zero padding means "black" in model units.
  input.fill(lo);
  const x0 = Math.max(0, Math.floor(padX)), x1 = Math.min(size, Math.ceil(size - padX));
  const y0 = Math.max(0, Math.floor(padY)), y1 = Math.min(size, Math.ceil(size - padY));
  const inv = 1 / scale;
  // When shrinking a lot, average a few source pixels per output pixel to avoid aliasing.
  const taps = inv >= 2 ? Math.min(4, Math.floor(inv)) : 1;
  for (let v = y0; v < y1; v++) {
    for (let u = x0; u < x1; u++) {
      let r = 0, g = 0, b = 0;
      for (let ty = 0; ty < taps; ty++) {
        for (let tx = 0; tx < taps; tx++) {
          let sx = (u + (tx + 0.5) / taps - padX) * inv - 0.5;
          let sy = (v + (ty + 0.5) / taps - padY) * inv - 0.5;
          if (sx < 0) sx = 0; else if (sx > W - 1) sx = W - 1;
          if (sy < 0) sy = 0; else if (sy > H - 1) sy = H - 1;
          const ix = Math.floor(sx), iy = Math.floor(sy);
          const ix1 = ix < W - 1 ? ix + 1 : ix, iy1 = iy < H - 1 ? iy + 1 : iy;
          const fx = sx - ix, fy = sy - iy;
          const p00 = (iy * W + ix) * 3, p01 = (iy * W + ix1) * 3, p10 = (iy1 * W + ix) * 3, p11 = (iy1 * W + ix1) * 3;
          const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
          r += w00 * data[p00] + w01 * data[p01] + w10 * data[p10] + w11 * data[p11];
          g += w00 * data[p00 + 1] + w01 * data[p01 + 1] + w10 * data[p10 + 1] + w11 * data[p11 + 1];
          b += w00 * data[p00 + 2] + w01 * data[p01 + 2] + w10 * data[p10 + 2] + w11 * data[p11 + 2];
        }
      }
      const n = taps * taps, o = (v * size + u) * 3;
      input[o] = (r / n) * k + lo;
      input[o + 1] = (g / n) * k + lo;
      input[o + 2] = (b / n) * k + lo;
    }
  }
  return { input, map: { scale, padX, padY } };
}
