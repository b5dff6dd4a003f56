/**
 * Blur corruptions (ImageNet-C parameters at 224 px, scaled with the image):
 * defocus (an anti-aliased disk), Gaussian, motion (ImageMagick's one-sided Gaussian streak at a
 * random angle in +-45 degrees) and zoom (the average of the image zoomed about its centre).
 *
 * @example
 * const out = defocusBlur.apply(face, 3, new SeededRandom(1));
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { SeededRandom } from '../data/seeded-random.ts';
import { spatialScale, type Corruption, type Severity } from './corruption.ts';
import { blurSeparable, borderIndex, fromUnit, gaussianKernel, toUnit } from './pixel-filters.ts';

/** Defocus: disk radius and anti-alias sigma per severity. */
export const DEFOCUS_PARAMS: readonly [number, number][] = [[3, 0.1], [4, 0.5], [6, 0.5], [8, 0.5], [10, 0.5]];
/** Gaussian blur sigma per severity. */
export const GAUSSIAN_BLUR_SIGMA: readonly number[] = [1, 2, 3, 4, 6];
/** Motion blur: ImageMagick radius and sigma per severity. */
export const MOTION_PARAMS: readonly [number, number][] = [[10, 3], [15, 5], [15, 8], [15, 12], [20, 15]];
/** Zoom blur: zoom factors start, stop (exclusive) and step per severity. */
export const ZOOM_PARAMS: readonly [number, number, number][] = [[1, 1.11, 0.01], [1, 1.16, 0.01], [1, 1.21, 0.02], [1, 1.26, 0.02], [1, 1.31, 0.03]];

/** The disk kernel of ImageNet-C's defocus blur: an aliased disk, smoothed by a small Gaussian, normalized. */
export function diskKernel(radius: number, aliasSigma: number): { kernel: Float32Array; size: number } {
  const half = radius <= 8 ? 8 : Math.ceil(radius);
  const size = 2 * half + 1;
  const disk = new Float32Array(size * size);
  for (let y = -half; y <= half; y++) for (let x = -half; x <= half; x++) if (x * x + y * y <= radius * radius) disk[(y + half) * size + x + half] = 1;
  // OpenCV's GaussianBlur with a 3x3 (5x5 for big disks) kernel of this sigma.
  const ksize = radius <= 8 ? 3 : 5;
  const g = new Float32Array(ksize);
  let gs = 0;
  for (let i = 0; i < ksize; i++) { const d = i - (ksize - 1) / 2; g[i] = Math.exp(-(d * d) / (2 * aliasSigma * aliasSigma)); gs += g[i]; }
  for (let i = 0; i < ksize; i++) g[i] /= gs;
  const smooth = blurSeparable(disk, size, size, 1, g, 'reflect101');
  let sum = 0;
  for (const v of smooth) sum += v;
  for (let i = 0; i < smooth.length; i++) smooth[i] /= sum;
  return { kernel: smooth, size };
}

/**
 * Defocus blur, computed fast: the aliased disk is uniform, so each of its rows is a running sum
 * (one prefix-sum difference per kernel row and pixel instead of one product per tap); the small
 * anti-aliasing Gaussian is then applied to the image instead of to the kernel, which by
 * associativity of convolution is the same filter (up to border handling).
 */
export function defocusImage(img: RgbImage, radius: number, aliasSigma: number): RgbImage {
  const { width: w, height: h } = img;
  const x = toUnit(img);
  const half = radius <= 8 ? 8 : Math.ceil(radius);
  const spans: [number, number][] = [];
  let count = 0;
  for (let dy = -half; dy <= half; dy++) {
    const r2 = radius * radius - dy * dy;
    if (r2 < 0) continue;
    const m = Math.floor(Math.sqrt(r2) + 1e-9);
    spans.push([dy, m]);
    count += 2 * m + 1;
  }
  // Prefix sums of every row, extended by `half` reflected pixels on each side.
  const ew = w + 2 * half;
  const prefix = new Float64Array(h * (ew + 1) * 3);
  for (let y = 0; y < h; y++) {
    const base = y * (ew + 1) * 3;
    for (let i = 0; i < ew; i++) {
      const sx = borderIndex(i - half, w, 'reflect101');
      for (let c = 0; c < 3; c++) prefix[base + (i + 1) * 3 + c] = prefix[base + i * 3 + c] + x[(y * w + sx) * 3 + c];
    }
  }
  const out = new Float32Array(x.length);
  for (let y = 0; y < h; y++) {
    for (const [dy, m] of spans) {
      const base = borderIndex(y + dy, h, 'reflect101') * (ew + 1) * 3;
      for (let xx = 0; xx < w; xx++) {
        const hi = base + (xx + half + m + 1) * 3, lo = base + (xx + half - m) * 3, o = (y * w + xx) * 3;
        out[o] += prefix[hi] - prefix[lo];
        out[o + 1] += prefix[hi + 1] - prefix[lo + 1];
        out[o + 2] += prefix[hi + 2] - prefix[lo + 2];
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= count;
  // OpenCV's GaussianBlur with a 3x3 (5x5 for big disks) kernel of the anti-alias sigma.
  const ksize = radius <= 8 ? 3 : 5;
  const g = new Float32Array(ksize);
  let gs = 0;
  for (let i = 0; i < ksize; i++) { const d = i - (ksize - 1) / 2; g[i] = Math.exp(-(d * d) / (2 * aliasSigma * aliasSigma)); gs += g[i]; }
  for (let i = 0; i < ksize; i++) g[i] /= gs;
  return fromUnit(blurSeparable(out, w, h, 3, g, 'reflect101'), w, h);
}

export const defocusBlur: Corruption = {
  name: 'defocus_blur', group: 'blur',
  description: `disk radius, alias sigma ${DEFOCUS_PARAMS.map((p) => p.join('/')).join(', ')} (at 224 px)`,
  apply(img: RgbImage, severity: Severity) {
    const [r, alias] = DEFOCUS_PARAMS[severity - 1];
    return defocusImage(img, r * spatialScale(img), alias);
  },
};

export const gaussianBlur: Corruption = {
  name: 'gaussian_blur', group: 'blur',
  description: `sigma ${GAUSSIAN_BLUR_SIGMA.join(', ')} (at 224 px)`,
  apply(img: RgbImage, severity: Severity) {
    const k = gaussianKernel(GAUSSIAN_BLUR_SIGMA[severity - 1] * spatialScale(img));
    return fromUnit(blurSeparable(toUnit(img), img.width, img.height, 3, k, 'clamp'), img.width, img.height);
  },
};

/**
 * ImageMagick's MotionBlurImage: width = 2 ceil(radius) + 1 taps along the angle, weights
 * exp(-i^2 / (2 sigma^2)) for i = 0..width-1 (normalized), each tap at the rounded offset
 * (i cos a, i sin a); outside pixels repeat the edge.
 */
export function motionBlurImage(img: RgbImage, radius: number, sigma: number, angleDeg: number): RgbImage {
  const width = 2 * Math.ceil(radius) + 1;
  const a = (angleDeg * Math.PI) / 180;
  const taps: [number, number, number][] = [];
  let sum = 0;
  for (let i = 0; i < width; i++) {
    const k = Math.exp(-(i * i) / (2 * sigma * sigma));
    taps.push([Math.round(i * Math.cos(a)), Math.round(i * Math.sin(a)), k]);
    sum += k;
  }
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  const n = taps.length;
  const offsets = Int32Array.from(taps, ([dx, dy]) => (dy * w + dx) * 3);
  const weights = Float64Array.from(taps, ([, , k]) => k / sum);
  const minDx = Math.min(0, ...taps.map((t) => t[0])), maxDx = Math.max(0, ...taps.map((t) => t[0]));
  const minDy = Math.min(0, ...taps.map((t) => t[1])), maxDy = Math.max(0, ...taps.map((t) => t[1]));
  for (let y = 0; y < h; y++) {
    const rowInside = y + minDy >= 0 && y + maxDy < h;
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0;
      const o = (y * w + x) * 3;
      if (rowInside && x + minDx >= 0 && x + maxDx < w) {
        // Interior: every tap is inside the image.
        for (let t = 0; t < n; t++) { const p = o + offsets[t], k = weights[t]; r += k * data[p]; g += k * data[p + 1]; b += k * data[p + 2]; }
      } else {
        for (let t = 0; t < n; t++) {
          const p = (borderIndex(y + taps[t][1], h, 'clamp') * w + borderIndex(x + taps[t][0], w, 'clamp')) * 3;
          const k = weights[t];
          r += k * data[p]; g += k * data[p + 1]; b += k * data[p + 2];
        }
      }
      out[o] = Math.round(r); out[o + 1] = Math.round(g); out[o + 2] = Math.round(b);
    }
  }
  return { width: w, height: h, data: out };
}

export const motionBlur: Corruption = {
  name: 'motion_blur', group: 'blur',
  description: `radius/sigma ${MOTION_PARAMS.map((p) => p.join('/')).join(', ')} (at 224 px), angle uniform in +-45 degrees`,
  apply(img: RgbImage, severity: Severity, rng: SeededRandom) {
    const [radius, sigma] = MOTION_PARAMS[severity - 1];
    const s = spatialScale(img);
    return motionBlurImage(img, radius * s, sigma * s, -45 + 90 * rng.next());
  },
};

/** The zoom factors of a severity, as numpy's arange(start, stop, step). */
export function zoomFactors(severity: Severity): number[] {
  const [start, stop, step] = ZOOM_PARAMS[severity - 1];
  const n = Math.ceil((stop - start) / step - 1e-9);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** Bilinear taps along one axis of a zoom by `z` about `centre`: source = centre + (i - centre) / z, clamped. */
function axisTaps(n: number, centre: number, z: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), f = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = centre + (i - centre) / z;
    if (s < 0) s = 0; else if (s > n - 1) s = n - 1;
    const a = Math.floor(s);
    i0[i] = a; i1[i] = a < n - 1 ? a + 1 : a; f[i] = s - a;
  }
  return { i0, i1, f };
}

export const zoomBlur: Corruption = {
  name: 'zoom_blur', group: 'blur',
  description: `mean of the image zoomed about its centre by 1..${ZOOM_PARAMS.map((p) => p[1] - p[2]).map((v) => v.toFixed(2)).join(', 1..')}`,
  apply(img: RgbImage, severity: Severity) {
    const { width: w, height: h } = img;
    const x = toUnit(img);
    const acc = Float32Array.from(x);
    const factors = zoomFactors(severity);
    const cx = (w - 1) / 2, cy = (h - 1) / 2;
    for (const z of factors) {
      // Zooming about the centre is separable: precompute each column's and row's bilinear taps.
      const cols = axisTaps(w, cx, z), rows = axisTaps(h, cy, z);
      for (let v = 0; v < h; v++) {
        const r0 = rows.i0[v] * w, r1 = rows.i1[v] * w, fy = rows.f[v];
        for (let u = 0; u < w; u++) {
          const c0 = cols.i0[u], c1 = cols.i1[u], fx = cols.f[u];
          const p00 = (r0 + c0) * 3, p01 = (r0 + c1) * 3, p10 = (r1 + c0) * 3, p11 = (r1 + c1) * 3;
          const o = (v * w + u) * 3;
          for (let c = 0; c < 3; c++) {
            acc[o + c] += (1 - fy) * ((1 - fx) * x[p00 + c] + fx * x[p01 + c]) + fy * ((1 - fx) * x[p10 + c] + fx * x[p11 + c]);
          }
        }
      }
    }
    for (let i = 0; i < acc.length; i++) acc[i] /= factors.length + 1;
    return fromUnit(acc, w, h);
  },
};
