/**
 * Fit a frame into a square detector input without distorting faces: scale the longer side to
 * `size`, centre it, pad with zeros, and normalize on the fly. Bilinear, one pass, no allocation
 * when `out` and a plan for the frame size are given.
 *
 * @example
 * const { input, map } = letterbox(frame, 256, -1, 1); // input: Float32Array [256, 256, 3] in -1..1
 * const xFrame = (xInput - map.padX) / map.scale;
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';

/** How input pixels map back to frame pixels: frame = (input - pad) / scale. */
export interface LetterboxMap { scale: number; padX: number; padY: number }

/**
 * Everything about a letterbox that depends only on the frame and input sizes: the map, the
 * covered region and the sampling tables. A detector keeps one per frame size, so the per-frame
 * letterbox allocates nothing.
 */
export interface LetterboxPlan {
  width: number; height: number; size: number;
  map: LetterboxMap;
  /** Output columns [x0, x1) and rows [y0, y1) covered by the frame; the rest is padding. */
  x0: number; x1: number; y0: number; y1: number;
  /** Samples per output pixel and axis (> 1 when shrinking more than 2x: anti-aliasing). */
  taps: number;
  cols: SamplingTable; rows: SamplingTable;
  /** One-tap case: source byte offsets of each column's two samples. */
  colByte0: Int32Array; colByte1: Int32Array;
}

/** Plan the letterbox of a `width x height` frame into a `size x size` input. */
export function planLetterbox(width: number, height: number, size: number): LetterboxPlan {
  const scale = size / Math.max(width, height);
  const padX = (size - width * scale) / 2, padY = (size - height * scale) / 2;
  const x0 = Math.max(0, Math.floor(padX)), x1 = Math.min(size, Math.ceil(size - padX));
  const y0 = Math.max(0, Math.floor(padY)), y1 = Math.min(size, Math.ceil(size - padY));
  const inv = 1 / scale;
  // A bilinear sample spans 2 source pixels; when shrinking more than 2x, average taps x taps
  // samples per output pixel so no source pixel is skipped (anti-aliasing).
  const taps = Math.max(1, Math.min(4, Math.floor(inv / 2)));
  // Sample positions depend only on the column (or row): computed once per frame size.
  const cols = samplingTable(x0, x1, taps, padX, inv, width);
  const rows = samplingTable(y0, y1, taps, padY, inv, height);
  const colByte0 = cols.i0.map((i) => i * 3), colByte1 = cols.i1.map((i) => i * 3);
  return { width, height, size, map: { scale, padX, padY }, x0, x1, y0, y1, taps, cols, rows, colByte0, colByte1 };
}

/**
 * @param lo value of a 0 pixel, @param hi value of a 255 pixel (BlazeFace: -1 and 1)
 * @param plan from {@link planLetterbox} for this frame size; made here when absent or for another size
 * @returns HWC float32 `size x size x 3`, and the map back to frame pixels
 */
export function letterbox(img: RgbImage, size: number, lo: number, hi: number, out?: Float32Array, plan?: LetterboxPlan): { input: Float32Array; map: LetterboxMap } {
  const { width: W, height: H, data } = img;
  const p = plan && plan.width === W && plan.height === H && plan.size === size ? plan : planLetterbox(W, H, size);
  const { x0, x1, y0, y1, taps, cols, rows } = p;
  const map = { ...p.map };
  const input = out ?? new Float32Array(size * size * 3);
  const k = (hi - lo) / 255;
  // Zero padding means "black" in model units: fill only the bands, the rest is written below.
  input.fill(lo, 0, y0 * size * 3);
  input.fill(lo, y1 * size * 3);
  if (x0 > 0 || x1 < size) {
    for (let v = y0; v < y1; v++) {
      input.fill(lo, v * size * 3, (v * size + x0) * 3);
      input.fill(lo, (v * size + x1) * 3, (v + 1) * size * 3);
    }
  }
  if (taps === 1) {
    bilinearRows(data, W, input, p, k, lo);
    return { input, map };
  }
  const norm = k / (taps * taps);
  for (let v = y0, ri = 0; v < y1; v++, ri += taps) {
    for (let u = x0, ci = 0; u < x1; u++, ci += taps) {
      let r = 0, g = 0, b = 0;
      for (let ty = 0; ty < taps; ty++) {
        const iy = rows.i0[ri + ty] * W, iy1 = rows.i1[ri + ty] * W, fy = rows.f[ri + ty];
        for (let tx = 0; tx < taps; tx++) {
          const ix = cols.i0[ci + tx], ix1 = cols.i1[ci + tx], fx = cols.f[ci + tx];
          const p00 = (iy + ix) * 3, p01 = (iy + ix1) * 3, p10 = (iy1 + ix) * 3, p11 = (iy1 + ix1) * 3;
          const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
          r += w00 * data[p00] + w01 * data[p01] + w10 * data[p10] + w11 * data[p11];
          g += w00 * data[p00 + 1] + w01 * data[p01 + 1] + w10 * data[p10 + 1] + w11 * data[p11 + 1];
          b += w00 * data[p00 + 2] + w01 * data[p01 + 2] + w10 * data[p10 + 2] + w11 * data[p11 + 2];
        }
      }
      const o = (v * size + u) * 3;
      input[o] = r * norm + lo;
      input[o + 1] = g * norm + lo;
      input[o + 2] = b * norm + lo;
    }
  }
  return { input, map };
}

/**
 * The one-tap case (shrinking by up to 4x, e.g. 640x480 to 256): plain bilinear with the row
 * pointers and weights hoisted out of the pixel loop; the same arithmetic as the general loop,
 * so both give identical values.
 */
function bilinearRows(data: Uint8Array, W: number, input: Float32Array, p: LetterboxPlan, k: number, lo: number): void {
  const { size, x0, x1, y0, y1, rows, colByte0: c0, colByte1: c1 } = p;
  const n = x1 - x0;
  const fxs = p.cols.f;
  for (let v = y0, ri = 0; v < y1; v++, ri++) {
    const r0 = rows.i0[ri] * W * 3, r1 = rows.i1[ri] * W * 3, fy = rows.f[ri], gy = 1 - fy;
    let o = (v * size + x0) * 3;
    for (let i = 0; i < n; i++, o += 3) {
      const fx = fxs[i];
      const w00 = (1 - fx) * gy, w01 = fx * gy, w10 = (1 - fx) * fy, w11 = fx * fy;
      const p00 = r0 + c0[i], p01 = r0 + c1[i], p10 = r1 + c0[i], p11 = r1 + c1[i];
      input[o] = (w00 * data[p00] + w01 * data[p01] + w10 * data[p10] + w11 * data[p11]) * k + lo;
      input[o + 1] = (w00 * data[p00 + 1] + w01 * data[p01 + 1] + w10 * data[p10 + 1] + w11 * data[p11 + 1]) * k + lo;
      input[o + 2] = (w00 * data[p00 + 2] + w01 * data[p01 + 2] + w10 * data[p10 + 2] + w11 * data[p11 + 2]) * k + lo;
    }
  }
}

/** Per output index: `taps` source samples (left index, right index, fraction). */
export interface SamplingTable { i0: Int32Array; i1: Int32Array; f: Float32Array }

/** Per output index in [from, to): `taps` source sample positions (left index, right index, fraction). */
function samplingTable(from: number, to: number, taps: number, pad: number, inv: number, limit: number): SamplingTable {
  const n = Math.max(0, to - from) * taps;
  const i0 = new Int32Array(n), i1 = new Int32Array(n), f = new Float32Array(n);
  for (let u = from, k = 0; u < to; u++) {
    for (let t = 0; t < taps; t++, k++) {
      let s = (u + (t + 0.5) / taps - pad) * inv - 0.5;
      if (s < 0) s = 0; else if (s > limit - 1) s = limit - 1;
      const i = Math.floor(s);
      i0[k] = i; i1[k] = i < limit - 1 ? i + 1 : i; f[k] = s - i;
    }
  }
  return { i0, i1, f };
}
