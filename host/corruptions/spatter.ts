/**
 * Spatter (ImageNet-C): a thresholded, blurred noise layer becomes water drops (severities 1-3:
 * pale turquoise highlights shaded by an embossed distance-to-edge map) or mud (severities 4-5:
 * opaque brown blotches).
 *
 * @example
 * const wet = spatter.apply(face, 2, new SeededRandom(3));
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { SeededRandom } from '../data/seeded-random.ts';
import { spatialScale, type Corruption, type Severity } from './corruption.ts';
import { blurSeparable, fromUnit, gaussianKernel, toUnit } from './pixel-filters.ts';
import { boxMean3, cannyEdges, distanceToZero, equalizeHist, filter3x3U8 } from './spatter-layers.ts';

/** Per severity: noise mean, noise std, blur sigma (at 224 px), threshold, intensity (water) or mud blur sigma, mud (1) or water (0). */
export const SPATTER_PARAMS: readonly [number, number, number, number, number, 0 | 1][] = [
  [0.65, 0.3, 4, 0.69, 0.6, 0], [0.65, 0.3, 3, 0.68, 0.6, 0], [0.65, 0.3, 2, 0.68, 0.5, 0], [0.65, 0.3, 1, 0.65, 1.5, 1], [0.67, 0.4, 1, 0.65, 1.5, 1],
];
const WATER_RGB = [175 / 255, 238 / 255, 238 / 255];
const MUD_RGB = [63 / 255, 42 / 255, 20 / 255];
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2] as const;

/** The liquid layer: N(mean, std) per pixel, Gaussian-blurred, zero below the threshold. */
function liquidLayer(w: number, h: number, mean: number, std: number, sigma: number, threshold: number, rng: SeededRandom): Float32Array {
  const noise = new Float32Array(w * h);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal(mean, std);
  const liquid = blurSeparable(noise, w, h, 1, gaussianKernel(sigma), 'clamp');
  for (let i = 0; i < liquid.length; i++) if (liquid[i] < threshold) liquid[i] = 0;
  return liquid;
}

/** Water: shading m = liquid * emboss(equalized distance to the drops' edges), normalized, times the intensity. */
function waterShading(liquid: Float32Array, w: number, h: number, intensity: number): Float32Array {
  const l8 = new Uint8Array(liquid.length);
  for (let i = 0; i < liquid.length; i++) l8[i] = Math.min(255, Math.max(0, Math.trunc(liquid[i] * 255)));
  const edges = cannyEdges(l8, w, h, 50, 150);
  const dist = distanceToZero(edges.map((e) => 255 - e), w, h);
  for (let i = 0; i < dist.length; i++) if (dist[i] > 20) dist[i] = 20;
  const blurred = boxMean3(dist, w, h);
  const d8 = new Uint8Array(blurred.length);
  for (let i = 0; i < blurred.length; i++) d8[i] = Math.trunc(blurred[i]);
  const emboss = filter3x3U8(equalizeHist(d8), w, h, EMBOSS);
  const shade = boxMean3(emboss, w, h);
  const m = new Float32Array(liquid.length);
  let max = 0;
  for (let i = 0; i < m.length; i++) { m[i] = l8[i] * Math.round(shade[i]); if (m[i] > max) max = m[i]; }
  for (let i = 0; i < m.length; i++) m[i] = max > 0 ? (m[i] / max) * intensity : 0;
  return m;
}

export const spatter: Corruption = {
  name: 'spatter', group: 'digital',
  description: 'water drops (severities 1-3) or mud (4-5) from a thresholded blurred noise layer',
  apply(img: RgbImage, severity: Severity, rng: SeededRandom) {
    const [mean, std, sigma, threshold, p4, mud] = SPATTER_PARAMS[severity - 1];
    const { width: w, height: h } = img;
    const s = spatialScale(img);
    const liquid = liquidLayer(w, h, mean, std, sigma * s, threshold, rng);
    const x = toUnit(img);
    if (!mud) {
      const m = waterShading(liquid, w, h, p4);
      for (let i = 0; i < m.length; i++) for (let c = 0; c < 3; c++) x[i * 3 + c] += m[i] * WATER_RGB[c];
      return fromUnit(x, w, h);
    }
    const mask = new Float32Array(liquid.length);
    for (let i = 0; i < mask.length; i++) mask[i] = liquid[i] > threshold ? 1 : 0;
    const soft = blurSeparable(mask, w, h, 1, gaussianKernel(p4 * s), 'clamp');
    for (let i = 0; i < soft.length; i++) {
      const m = soft[i] < 0.8 ? 0 : soft[i];
      for (let c = 0; c < 3; c++) x[i * 3 + c] = x[i * 3 + c] * (1 - m) + MUD_RGB[c] * m;
    }
    return fromUnit(x, w, h);
  },
};
