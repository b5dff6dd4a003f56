/**
 * The corruption contract: 13 image corruptions at 5 severities, after Hendrycks & Dietterich's
 * ImageNet-C and the seed's LFW+C (which adds brightness down and contrast up). Each works on an
 * RGB image and is deterministic for a given random stream.
 *
 * @example
 * const out = await corruptImage(face, 'motion_blur', 3, 42);
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { SeededRandom } from '../data/seeded-random.ts';

/** Corruption names, as the seed's LFW+C result files spell them. */
export const CORRUPTION_NAMES = [
  'defocus_blur', 'gaussian_blur', 'motion_blur', 'zoom_blur',
  'gaussian_noise', 'shot_noise',
  'brightness_plus', 'brightness_minus', 'contrast_plus', 'contrast',
  'jpeg_compression', 'pixelate', 'spatter',
] as const;
export type CorruptionName = (typeof CORRUPTION_NAMES)[number];

/** Severity 1 (mild) .. 5 (strong). */
export type Severity = 1 | 2 | 3 | 4 | 5;
export const SEVERITIES: readonly Severity[] = [1, 2, 3, 4, 5];

/** The LFW+C grouping used to average results. */
export type CorruptionGroup = 'blur' | 'noise' | 'digital';
export const CORRUPTION_GROUPS: readonly CorruptionGroup[] = ['blur', 'noise', 'digital'];

export interface Corruption {
  name: CorruptionName;
  group: CorruptionGroup;
  /** One line for help texts and reports, with the per-severity parameters. */
  description: string;
  /** Corrupt `img` (not modified) at `severity`, drawing any randomness from `rng`. */
  apply(img: RgbImage, severity: Severity, rng: SeededRandom): RgbImage | Promise<RgbImage>;
}

/**
 * Spatial parameters (blur radii and sigmas) are ImageNet-C's for 224-pixel images; they are
 * scaled by min(width, height) / 224 so a corruption looks the same on a 200 px face as there.
 */
export function spatialScale(img: RgbImage): number {
  return Math.min(img.width, img.height) / 224;
}
