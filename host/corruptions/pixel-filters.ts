/**
 * The image arithmetic the corruptions share: RGB bytes <-> float planes in 0..1, Gaussian
 * kernels, separable and 2-D filtering with OpenCV/SciPy border rules, and PIL's BOX resampling. Float images are HWC Float32Arrays with `channels` values per pixel.
 *
 * @example
 * const f = toUnit(img); const blurred = blurSeparable(f, img.width, img.height, 3, gaussianKernel(2));
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';

/** How filters read outside the image: `clamp` repeats the edge (SciPy `nearest`), `reflect101` mirrors without repeating it (OpenCV's default). */
export type Border = 'clamp' | 'reflect101';

/** RGB bytes to floats in 0..1, HWC. */
export function toUnit(img: RgbImage): Float32Array {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] / 255;
  return out;
}

/** Floats in 0..1 (clipped) back to RGB bytes, rounded. */
export function fromUnit(data: Float32Array, width: number, height: number): RgbImage {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] * 255;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { width, height, data: out };
}

/** Index `i` mapped into 0..n-1 by the border rule. */
export function borderIndex(i: number, n: number, border: Border): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  if (border === 'clamp') return i < 0 ? 0 : n - 1;
  // reflect101: -1 -> 1, n -> n - 2; repeated for kernels wider than the image.
  const period = 2 * (n - 1);
  let j = Math.abs(i) % period;
  if (j >= n) j = period - j;
  return j;
}

/** A normalized 1-D Gaussian, radius round(truncate * sigma) as in SciPy. */
export function gaussianKernel(sigma: number, truncate = 4): Float32Array {
  const r = Math.max(0, Math.floor(truncate * sigma + 0.5));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) { const v = sigma > 0 ? Math.exp(-(i * i) / (2 * sigma * sigma)) : i === 0 ? 1 : 0; k[i + r] = v; sum += v; }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Filter rows then columns with the same odd-length 1-D kernel (centred). */
export function blurSeparable(data: Float32Array, w: number, h: number, channels: number, kernel: Float32Array, border: Border = 'clamp'): Float32Array {
  const r = (kernel.length - 1) / 2;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += kernel[k + r] * data[(y * w + borderIndex(x + k, w, border)) * channels + c];
        tmp[(y * w + x) * channels + c] = s;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += kernel[k + r] * tmp[(borderIndex(y + k, h, border) * w + x) * channels + c];
        out[(y * w + x) * channels + c] = s;
      }
    }
  }
  return out;
}

/**
 * 2-D correlation with a kw x kh kernel (row-major) anchored at its centre, as OpenCV's filter2D.
 * Zero kernel taps are skipped, so sparse kernels (a disk) cost what they cover.
 */
export function correlate2d(data: Float32Array, w: number, h: number, channels: number, kernel: Float32Array, kw: number, kh: number, border: Border = 'reflect101'): Float32Array {
  const out = new Float32Array(data.length);
  const ax = (kw - 1) >> 1, ay = (kh - 1) >> 1;
  const dxs: number[] = [], dys: number[] = [], ks: number[] = [];
  for (let j = 0; j < kh; j++) for (let i = 0; i < kw; i++) if (kernel[j * kw + i] !== 0) { dxs.push(i - ax); dys.push(j - ay); ks.push(kernel[j * kw + i]); }
  const n = ks.length;
  const offsets = dxs.map((dx, t) => (dys[t] * w + dx) * channels);
  for (let y = 0; y < h; y++) {
    const rowInside = y >= ay && y < h - ay;
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * channels;
      if (rowInside && x >= ax && x < w - ax) {
        // Interior: every tap is inside the image, so no border arithmetic.
        for (let c = 0; c < channels; c++) {
          let s = 0;
          for (let t = 0; t < n; t++) s += ks[t] * data[o + offsets[t] + c];
          out[o + c] = s;
        }
        continue;
      }
      for (let t = 0; t < n; t++) {
        const p = (borderIndex(y + dys[t], h, border) * w + borderIndex(x + dxs[t], w, border)) * channels;
        for (let c = 0; c < channels; c++) out[o + c] += ks[t] * data[p + c];
      }
    }
  }
  return out;
}

/**
 * Resample along one axis with PIL's BOX filter: an output pixel averages the input pixels whose
 * centres fall in its footprint (downscaling), or copies the nearest one (upscaling).
 */
function boxWeights(inSize: number, outSize: number): { start: number; weights: Float32Array }[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 0.5 * filterScale;
  const rows: { start: number; weights: Float32Array }[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(Math.floor(center - support + 0.5), 0);
    const xmax = Math.min(Math.floor(center + support + 0.5), inSize);
    const w = new Float32Array(Math.max(0, xmax - xmin));
    let sum = 0;
    for (let x = xmin; x < xmax; x++) {
      const t = (x - center + 0.5) / filterScale;
      const v = t > -0.5 && t <= 0.5 ? 1 : 0;
      w[x - xmin] = v; sum += v;
    }
    if (sum === 0) { w.fill(0); w[Math.min(w.length - 1, Math.max(0, Math.floor(center) - xmin))] = 1; sum = 1; }
    for (let k = 0; k < w.length; k++) w[k] /= sum;
    rows.push({ start: xmin, weights: w });
  }
  return rows;
}

/** Resize an RGB image with PIL's BOX filter (horizontal pass, then vertical, rounding to bytes after each as PIL does). */
export function resizeBox(img: RgbImage, outW: number, outH: number): RgbImage {
  const { width: w, height: h, data } = img;
  const horiz = boxWeights(w, outW);
  const mid = new Uint8Array(outW * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const { start, weights } = horiz[x];
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < weights.length; k++) s += weights[k] * data[(y * w + start + k) * 3 + c];
        mid[(y * outW + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
  }
  const vert = boxWeights(h, outH);
  const out = new Uint8Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const { start, weights } = vert[y];
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < weights.length; k++) s += weights[k] * mid[((start + k) * outW + x) * 3 + c];
        out[(y * outW + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
    }
  }
  return { width: outW, height: outH, data: out };
}
