/**
 * The OpenCV steps ImageNet-C's spatter needs, on single-channel images: Canny edges, the
 * Euclidean distance to the nearest edge, a 3x3 box mean, histogram equalization and an 8-bit
 * saturating 3x3 filter. Each follows OpenCV's rule for borders and rounding.
 *
 * @example
 * const edges = cannyEdges(u8, w, h, 50, 150); const dist = distanceToZero(edges.map((e) => 255 - e), w, h);
 */
import { borderIndex } from './pixel-filters.ts';

/** Canny edge map (255 on edges, 0 elsewhere) of an 8-bit image: 3x3 Sobel, L1 magnitude, non-maximum suppression, hysteresis. */
export function cannyEdges(src: ArrayLike<number>, w: number, h: number, low: number, high: number): Uint8Array {
  const gx = new Float32Array(w * h), gy = new Float32Array(w * h), mag = new Float32Array(w * h);
  const at = (x: number, y: number) => src[borderIndex(y, h, 'clamp') * w + borderIndex(x, w, 'clamp')];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const dy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const i = y * w + x;
      gx[i] = dx; gy[i] = dy; mag[i] = Math.abs(dx) + Math.abs(dy);
    }
  }
  const m = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : mag[y * w + x]);
  const TG22 = Math.tan(Math.PI / 8), TG67 = Math.tan((3 * Math.PI) / 8);
  const state = new Uint8Array(w * h); // 0 none, 1 weak, 2 strong
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x, v = mag[i];
      if (v <= low) continue;
      const ax = Math.abs(gx[i]), ay = Math.abs(gy[i]);
      let isMax: boolean;
      if (ay < ax * TG22) isMax = v > m(x - 1, y) && v >= m(x + 1, y);
      else if (ay > ax * TG67) isMax = v > m(x, y - 1) && v >= m(x, y + 1);
      else {
        const s = (gx[i] < 0) !== (gy[i] < 0) ? -1 : 1;
        isMax = v > m(x - s, y - 1) && v > m(x + s, y + 1);
      }
      if (isMax) state[i] = v > high ? 2 : 1;
    }
  }
  const out = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let i = 0; i < state.length; i++) if (state[i] === 2) { out[i] = 255; stack.push(i); }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % w, y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx, ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
      const j = ny * w + nx;
      if (state[j] === 1 && out[j] === 0) { out[j] = 255; stack.push(j); }
    }
  }
  return out;
}

/** 1-D squared distance transform (Felzenszwalb & Huttenlocher) of f, in place into d. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0; z[0] = -Infinity; z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    if (f[q] === Infinity && f[v[k]] === Infinity) continue;
    let s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (k > 0 && s <= z[k]) { k--; s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]); }
    if (f[v[k]] === Infinity) { v[k] = q; z[k] = -Infinity; z[k + 1] = Infinity; continue; }
    k++; v[k] = q; z[k] = s; z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = f[v[k]] === Infinity ? Infinity : dq * dq + f[v[k]];
  }
}

/** Euclidean distance of every pixel to the nearest zero pixel (Infinity when there is none). */
export function distanceToZero(src: ArrayLike<number>, w: number, h: number): Float32Array {
  const n = Math.max(w, h);
  const f = new Float64Array(n), d = new Float64Array(n), z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  const grid = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) grid[i] = src[i] === 0 ? 0 : Infinity;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = grid[y * w + x];
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) grid[y * w + x] = d[y];
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = grid[y * w + x];
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[y * w + x] = Math.sqrt(d[x]);
  }
  return out;
}

/** 3x3 box mean (OpenCV `blur`, border reflect101), single channel, float result. */
export function boxMean3(src: ArrayLike<number>, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += src[borderIndex(y + dy, h, 'reflect101') * w + borderIndex(x + dx, w, 'reflect101')];
    out[y * w + x] = s / 9;
  }
  return out;
}

/** OpenCV's equalizeHist on 8-bit values. */
export function equalizeHist(src: Uint8Array): Uint8Array {
  const hist = new Uint32Array(256);
  for (const v of src) hist[v]++;
  let i0 = 0;
  while (i0 < 255 && hist[i0] === 0) i0++;
  const total = src.length;
  const lut = new Uint8Array(256);
  if (hist[i0] === total) lut.fill(i0);
  else {
    const scale = 255 / (total - hist[i0]);
    let sum = 0;
    for (let i = i0 + 1; i < 256; i++) { sum += hist[i]; lut[i] = Math.min(255, Math.round(sum * scale)); }
  }
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
  return out;
}

/** 3x3 correlation of an 8-bit image with a 3x3 kernel, rounded and saturated to 0..255 (OpenCV filter2D to CV_8U). */
export function filter3x3U8(src: Uint8Array, w: number, h: number, k: readonly number[]): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += k[(dy + 1) * 3 + dx + 1] * src[borderIndex(y + dy, h, 'reflect101') * w + borderIndex(x + dx, w, 'reflect101')];
    out[y * w + x] = s <= 0 ? 0 : s >= 255 ? 255 : Math.round(s);
  }
  return out;
}
