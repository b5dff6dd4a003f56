/**
 * Brightness corruptions: the HSV value channel moved up (ImageNet-C) or down (the seed's LFW+C
 * `brightness_minus`) by c on a 0..1 scale, hue and saturation kept.
 *
 * @example
 * const darker = brightnessMinus.apply(face, 4, rng);
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { Corruption, Severity } from './corruption.ts';

export const BRIGHTNESS_SHIFT: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5];

/**
 * Add `shift` to V = max(r, g, b) (clipped to 0..1) keeping H and S: the RGB of a coloured pixel
 * scales by V'/V; a black pixel (S = 0) becomes grey V'. Same result as rgb -> hsv -> rgb.
 */
export function shiftValue(img: RgbImage, shift: number): RgbImage {
  const out = new Uint8Array(img.data.length);
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    const v = Math.max(d[i], d[i + 1], d[i + 2]) / 255;
    const v2 = Math.min(1, Math.max(0, v + shift));
    if (v === 0) { const g = Math.round(v2 * 255); out[i] = out[i + 1] = out[i + 2] = g; continue; }
    const f = v2 / v;
    for (let c = 0; c < 3; c++) out[i + c] = Math.min(255, Math.round(d[i + c] * f));
  }
  return { width: img.width, height: img.height, data: out };
}

export const brightnessPlus: Corruption = {
  name: 'brightness_plus', group: 'digital',
  description: `HSV value + ${BRIGHTNESS_SHIFT.join(', ')}`,
  apply: (img: RgbImage, severity: Severity) => shiftValue(img, BRIGHTNESS_SHIFT[severity - 1]),
};

export const brightnessMinus: Corruption = {
  name: 'brightness_minus', group: 'digital',
  description: `HSV value - ${BRIGHTNESS_SHIFT.join(', ')}`,
  apply: (img: RgbImage, severity: Severity) => shiftValue(img, -BRIGHTNESS_SHIFT[severity - 1]),
};
