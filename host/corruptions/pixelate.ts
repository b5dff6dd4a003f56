/**
 * Pixelate (ImageNet-C): shrink to a fraction c of the size with PIL's BOX filter and enlarge
 * back with it, which leaves blocks of about 1/c pixels.
 *
 * @example
 * const blocks = pixelate.apply(face, 5, rng);
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { Corruption, Severity } from './corruption.ts';
import { resizeBox } from './pixel-filters.ts';

export const PIXELATE_FRACTION: readonly number[] = [0.6, 0.5, 0.4, 0.3, 0.25];

export const pixelate: Corruption = {
  name: 'pixelate', group: 'digital',
  description: `shrink to ${PIXELATE_FRACTION.join(', ')} of the size and back (BOX filter)`,
  apply(img: RgbImage, severity: Severity) {
    const c = PIXELATE_FRACTION[severity - 1];
    const small = resizeBox(img, Math.max(1, Math.floor(img.width * c)), Math.max(1, Math.floor(img.height * c)));
    return resizeBox(small, img.width, img.height);
  },
};
