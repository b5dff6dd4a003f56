/**
 * Training augmentation, as in the seed framework's `default`: a geometric part (rotation about
 * the face centre, shear, face-box jitter, horizontal flip) that becomes a {@link CropJitter} for
 * cropFace, and a photometric part (contrast a, brightness b) applied to the RGB crop as
 * `(x - 128) * a + 128 + b`, clamped to 0..255, before normalizePixels. Parameters are drawn
 * from a seeded generator, so a seed fixes every crop.
 *
 * @example
 * const params = drawAugmentation('default', new SeededRandom(mixSeeds(seed, i)));
 * const rgb = cropFace(img, box, spec, 64, 64, params?.jitter);
 * const x = normalizePixels(params ? applyPhotometric(rgb, params) : rgb, 'vggface2');
 */
import type { CropJitter } from '../../core/contract/face-crop.ts';
import { UsageError } from '../../core/errors.ts';
import type { Augmentation } from './batch-stream.ts';
import type { SeededRandom } from './seeded-random.ts';

export const AUGMENTATIONS: readonly Augmentation[] = ['default', 'no'];

/** The random draws for one crop. */
export interface AugmentationParams {
  jitter: CropJitter;
  /** Contrast factor a (1 = unchanged). */
  contrast: number;
  /** Brightness offset b, in 0..255 pixel units. */
  brightness: number;
}

/**
 * Distributions of the `default` augmentation. "N(m, s) within +-L" means a normal draw clipped
 * to m +- L (the seed framework draws with s = L/2).
 */
export interface DefaultAugmentationConfig {
  /** Rotation in degrees: N(0, rotationStdDeg) within +-rotationMaxDeg. Default 5, 10. */
  rotationStdDeg: number;
  rotationMaxDeg: number;
  /** Horizontal shear factor: N(0, shearMax/2) within +-shearMax. Default 0.1. */
  shearMax: number;
  /** Box jitter as a fraction of the box side: centre shift N(0, boxJitter/2) within +-boxJitter
   *  on each axis, side scale 1 + N(0, boxJitter) within +-2 boxJitter. Default 0.045. */
  boxJitter: number;
  /** Contrast a: N(1, contrastStd) within 1 +- contrastMax. Default 0.25, 0.5. */
  contrastStd: number;
  contrastMax: number;
  /** Brightness b: N(0, brightnessStd) within +-brightnessMax. Default 24, 48. */
  brightnessStd: number;
  brightnessMax: number;
  /** Probability of a left-right mirror. Default 0.5. */
  flipProbability: number;
  /**
   * Box jitter measured on the device's detector instead of `boxJitter`: standard deviations of
   * the centre shift (dx, dy, fractions of the box side) and of the side scale, each drawn as
   * N(0, sd) clipped to +-2 sd. Undefined: `boxJitter`.
   */
  boxJitterStd?: BoxJitterStd;
}

/** Standard deviations of the box-jitter draws (see {@link DefaultAugmentationConfig.boxJitterStd}). */
export interface BoxJitterStd { dx: number; dy: number; scale: number }

/** Parse `--box-jitter dx,dy,scale` (three standard deviations, fractions of the box side). */
export function parseBoxJitter(value: string, where = '--box-jitter'): BoxJitterStd {
  const v = value.split(',').map((x) => Number(x.trim()));
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x) || x < 0 || x > 0.5)) {
    throw new UsageError(`expected three standard deviations dx,dy,scale in 0..0.5 (got "${value}")`, { where, hint: 'e.g. 0.014,0.014,0.034 (agekit boxes prints the measured within-face spread)' });
  }
  return { dx: v[0], dy: v[1], scale: v[2] };
}

export const DEFAULT_AUGMENTATION_CONFIG: DefaultAugmentationConfig = {
  rotationStdDeg: 5,
  rotationMaxDeg: 10,
  shearMax: 0.1,
  boxJitter: 0.045,
  contrastStd: 0.25,
  contrastMax: 0.5,
  brightnessStd: 24,
  brightnessMax: 48,
  flipProbability: 0.5,
};

/** Parse a user-supplied augmentation name, naming the flag on error. */
export function parseAugmentation(value: string, where = '--augmentation'): Augmentation {
  if ((AUGMENTATIONS as readonly string[]).includes(value)) return value as Augmentation;
  throw new UsageError(`unknown augmentation "${value}"`, { where, hint: `use one of ${AUGMENTATIONS.join(', ')}` });
}

/** Draw one crop's augmentation; undefined for `no`. The draw order is fixed, so a seed fixes the result. */
export function drawAugmentation(kind: Augmentation, rng: SeededRandom, config: DefaultAugmentationConfig = DEFAULT_AUGMENTATION_CONFIG): AugmentationParams | undefined {
  if (kind === 'no') return undefined;
  const c = config;
  const jitter: CropJitter = {
    angleDeg: rng.clippedNormal(0, c.rotationStdDeg, c.rotationMaxDeg),
    shear: rng.clippedNormal(0, c.shearMax / 2, c.shearMax),
    dx: c.boxJitterStd ? rng.clippedNormal(0, c.boxJitterStd.dx, 2 * c.boxJitterStd.dx) : rng.clippedNormal(0, c.boxJitter / 2, c.boxJitter),
    dy: c.boxJitterStd ? rng.clippedNormal(0, c.boxJitterStd.dy, 2 * c.boxJitterStd.dy) : rng.clippedNormal(0, c.boxJitter / 2, c.boxJitter),
    scale: 1 + (c.boxJitterStd ? rng.clippedNormal(0, c.boxJitterStd.scale, 2 * c.boxJitterStd.scale) : rng.clippedNormal(0, c.boxJitter, 2 * c.boxJitter)),
    flip: rng.next() < c.flipProbability,
  };
  const contrast = rng.clippedNormal(1, c.contrastStd, c.contrastMax);
  const brightness = rng.clippedNormal(0, c.brightnessStd, c.brightnessMax);
  return { jitter, contrast, brightness };
}

/**
 * Contrast and brightness on RGB pixels: `(x - 128) * contrast + 128 + brightness`, clamped to
 * 0..255 and kept as floats (no rounding), same length and layout as the input.
 */
export function applyPhotometric(rgb: ArrayLike<number>, params: Pick<AugmentationParams, 'contrast' | 'brightness'>, out?: Float32Array): Float32Array {
  const n = rgb.length;
  const dst = out ?? new Float32Array(n);
  const a = params.contrast;
  const shift = 128 - 128 * a + params.brightness;
  for (let i = 0; i < n; i++) {
    const v = rgb[i] * a + shift;
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return dst;
}
