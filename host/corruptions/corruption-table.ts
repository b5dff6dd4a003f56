/**
 * The table of corruptions (name -> implementation) and the one call that applies one to an
 * image, deterministically: the random stream is seeded from (seed, corruption, severity).
 *
 * @example
 * for (const c of CORRUPTIONS) for (const s of SEVERITIES) out.push(await corruptImage(face, c.name, s, 42));
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import { DataError } from '../../core/errors.ts';
import { mixSeeds, SeededRandom } from '../data/seeded-random.ts';
import { defocusBlur, gaussianBlur, motionBlur, zoomBlur } from './blur.ts';
import { brightnessMinus, brightnessPlus } from './brightness.ts';
import { contrastDown, contrastUp } from './contrast.ts';
import { CORRUPTION_NAMES, SEVERITIES, type Corruption, type CorruptionName, type Severity } from './corruption.ts';
import { jpegCompression } from './jpeg.ts';
import { gaussianNoise, shotNoise } from './noise.ts';
import { pixelate } from './pixelate.ts';
import { spatter } from './spatter.ts';

/** Every corruption, in the order of CORRUPTION_NAMES (blur, noise, digital). */
export const CORRUPTIONS: readonly Corruption[] = [
  defocusBlur, gaussianBlur, motionBlur, zoomBlur,
  gaussianNoise, shotNoise,
  brightnessPlus, brightnessMinus, contrastUp, contrastDown,
  jpegCompression, pixelate, spatter,
];

const byName = new Map<string, Corruption>(CORRUPTIONS.map((c) => [c.name, c]));

/** The corruption of a name; a DataError listing the names otherwise. */
export function getCorruption(name: string): Corruption {
  const c = byName.get(name);
  if (!c) throw new DataError(`unknown corruption "${name}"`, { hint: `use one of ${CORRUPTION_NAMES.join(', ')}` });
  return c;
}

/** Parse `a,b` into corruption names (`all` for every one). */
export function parseCorruptionList(value: string, where: string): CorruptionName[] {
  if (value.trim() === 'all') return [...CORRUPTION_NAMES];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !byName.has(n));
  if (names.length === 0 || bad.length) throw new DataError(`unknown corruption "${bad.join(',') || value}"`, { where, hint: `use all or a comma list of ${CORRUPTION_NAMES.join(', ')}` });
  return names as CorruptionName[];
}

/** Parse `1,3,5` into severities. */
export function parseSeverityList(value: string, where: string): Severity[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((s) => !(SEVERITIES as readonly number[]).includes(s))) {
    throw new DataError(`bad severity list "${value}"`, { where, hint: 'severities are 1..5, e.g. 1,3,5' });
  }
  return list as Severity[];
}

/**
 * Corrupt an image. The same (image, name, severity, seed) always gives the same bytes.
 * @param seed base seed; mix in a per-image index (mixSeeds(seed, i)) for a dataset
 */
export async function corruptImage(img: RgbImage, name: CorruptionName, severity: Severity, seed: number): Promise<RgbImage> {
  const c = getCorruption(name);
  if (!(SEVERITIES as readonly number[]).includes(severity)) throw new DataError(`severity ${severity} is not 1..5`, { where: name });
  const rng = new SeededRandom(mixSeeds(seed, CORRUPTION_NAMES.indexOf(name), severity));
  return c.apply(img, severity, rng);
}
