/**
 * Noise corruptions (ImageNet-C): additive Gaussian noise of standard deviation c on 0..1 pixels,
 * and shot (Poisson) noise, Poisson(x c) / c, where a smaller c is noisier.
 *
 * @example
 * const out = gaussianNoise.apply(face, 2, new SeededRandom(7));
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { SeededRandom } from '../data/seeded-random.ts';
import type { Corruption, Severity } from './corruption.ts';
import { fromUnit, toUnit } from './pixel-filters.ts';

export const GAUSSIAN_NOISE_STD: readonly number[] = [0.08, 0.12, 0.18, 0.26, 0.38];
export const SHOT_NOISE_PHOTONS: readonly number[] = [60, 25, 12, 5, 3];

export const gaussianNoise: Corruption = {
  name: 'gaussian_noise', group: 'noise',
  description: `std ${GAUSSIAN_NOISE_STD.join(', ')} (pixels 0..1)`,
  apply(img: RgbImage, severity: Severity, rng: SeededRandom) {
    const std = GAUSSIAN_NOISE_STD[severity - 1];
    const x = toUnit(img);
    for (let i = 0; i < x.length; i++) x[i] += rng.normal(0, std);
    return fromUnit(x, img.width, img.height);
  },
};

/** A Poisson draw by Knuth's product of uniforms: exact, and quick for the means used here (<= 60). */
export function poisson(lambda: number, rng: SeededRandom): number {
  if (lambda <= 0) return 0;
  const limit = Math.exp(-lambda);
  let k = 0, p = rng.next();
  while (p > limit) { k++; p *= rng.next(); }
  return k;
}

export const shotNoise: Corruption = {
  name: 'shot_noise', group: 'noise',
  description: `photons per unit intensity ${SHOT_NOISE_PHOTONS.join(', ')}`,
  apply(img: RgbImage, severity: Severity, rng: SeededRandom) {
    const c = SHOT_NOISE_PHOTONS[severity - 1];
    const x = toUnit(img);
    for (let i = 0; i < x.length; i++) x[i] = poisson(x[i] * c, rng) / c;
    return fromUnit(x, img.width, img.height);
  },
};
