/**
 * Contrast corruptions: each channel's deviation from its image mean scaled by c, down
 * (ImageNet-C `contrast`) or up (the seed's LFW+C `contrast_plus`), then clipped.
 *
 * @example
 * const flat = contrastDown.apply(face, 5, rng);
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { Corruption, Severity } from './corruption.ts';

export const CONTRAST_DOWN_FACTOR: readonly number[] = [0.4, 0.3, 0.2, 0.1, 0.05];
export const CONTRAST_UP_FACTOR: readonly number[] = [1.5, 1.9, 2.6, 3.3, 5.0];

/** (x - channel mean) * factor + channel mean, clipped to 0..255. */
export function scaleContrast(img: RgbImage, factor: number): RgbImage {
  const d = img.data;
  const n = d.length / 3;
  const mean = [0, 0, 0];
  for (let i = 0; i < d.length; i += 3) { mean[0] += d[i]; mean[1] += d[i + 1]; mean[2] += d[i + 2]; }
  for (let c = 0; c < 3; c++) mean[c] /= n;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const c = i % 3;
    const v = (d[i] - mean[c]) * factor + mean[c];
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { width: img.width, height: img.height, data: out };
}

export const contrastDown: Corruption = {
  name: 'contrast', group: 'digital',
  description: `contrast x ${CONTRAST_DOWN_FACTOR.join(', ')}`,
  apply: (img: RgbImage, severity: Severity) => scaleContrast(img, CONTRAST_DOWN_FACTOR[severity - 1]),
};

export const contrastUp: Corruption = {
  name: 'contrast_plus', group: 'digital',
  description: `contrast x ${CONTRAST_UP_FACTOR.join(', ')}`,
  apply: (img: RgbImage, severity: Severity) => scaleContrast(img, CONTRAST_UP_FACTOR[severity - 1]),
};
