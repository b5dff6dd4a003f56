/**
 * Pixel normalization of a face crop: the one implementation used by training, evaluation,
 * conversion (calibration sets) and the device, so every stage feeds a model exactly the
 * numbers it was trained on.
 *
 * @example
 * const x = normalizePixels(rgbCrop, 'vggface2'); // Float32Array, HWC, BGR minus the VGGFace2 means
 */
import { DataError } from '../errors.ts';

/** How crop pixels (RGB, 0..255) become model input. `vggface2` is the seed framework's default. */
export type Preprocessing = 'vggface2' | 'z_normalization' | 'unit' | 'tf' | 'no';

export const PREPROCESSINGS: readonly Preprocessing[] = ['vggface2', 'z_normalization', 'unit', 'tf', 'no'];

/** VGGFace2 channel means in B, G, R order (the seed framework's `vggface2` mode). */
export const VGGFACE2_MEANS_BGR = [91.4953, 103.8827, 131.0912] as const;
/** ImageNet mean and standard deviation in R, G, B order, on 0..1 pixels. */
export const IMAGENET_MEAN_RGB = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD_RGB = [0.229, 0.224, 0.225] as const;

/** Channel order the model sees for a preprocessing mode. */
export function channelOrder(mode: Preprocessing): 'rgb' | 'bgr' {
  return mode === 'vggface2' ? 'bgr' : 'rgb';
}

/** Per-channel `scale` and `offset` in the model's channel order: input = pixel * scale + offset. */
export interface ChannelAffine { scale: [number, number, number]; offset: [number, number, number] }

/** The affine map from 0..255 pixels (in model channel order) to model input, per channel. */
export function preprocessingAffine(mode: Preprocessing): ChannelAffine {
  switch (mode) {
    case 'vggface2':
      return { scale: [1, 1, 1], offset: [-VGGFACE2_MEANS_BGR[0], -VGGFACE2_MEANS_BGR[1], -VGGFACE2_MEANS_BGR[2]] };
    case 'z_normalization': {
      const scale = IMAGENET_STD_RGB.map((s) => 1 / (255 * s)) as [number, number, number];
      const offset = IMAGENET_MEAN_RGB.map((m, c) => -m / IMAGENET_STD_RGB[c]) as [number, number, number];
      return { scale, offset };
    }
    case 'unit': return { scale: [1 / 255, 1 / 255, 1 / 255], offset: [0, 0, 0] };
    case 'tf': return { scale: [2 / 255, 2 / 255, 2 / 255], offset: [-1, -1, -1] };
    case 'no': return { scale: [1, 1, 1], offset: [0, 0, 0] };
    default: throw new DataError(`unknown preprocessing "${String(mode)}"`, { hint: `use one of ${PREPROCESSINGS.join(', ')}` });
  }
}

/** Parse a user-supplied preprocessing name, naming the flag or field on error. */
export function parsePreprocessing(value: string, where = '--preprocessing'): Preprocessing {
  if ((PREPROCESSINGS as readonly string[]).includes(value)) return value as Preprocessing;
  throw new DataError(`unknown preprocessing "${value}"`, { where, hint: `use one of ${PREPROCESSINGS.join(', ')}` });
}

/**
 * Normalize an RGB crop (HWC, values 0..255) into model input (HWC float32, model channel order).
 * @param rgb interleaved R, G, B bytes or floats, length h*w*3
 * @param out optional destination of the same length, to avoid an allocation per crop
 */
export function normalizePixels(rgb: ArrayLike<number>, mode: Preprocessing, out?: Float32Array): Float32Array {
  const n = rgb.length;
  if (n % 3 !== 0) throw new DataError(`pixel buffer length ${n} is not a multiple of 3`, { hint: 'pass interleaved RGB' });
  const dst = out ?? new Float32Array(n);
  const { scale, offset } = preprocessingAffine(mode);
  const bgr = channelOrder(mode) === 'bgr';
  for (let i = 0; i < n; i += 3) {
    const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
    const c0 = bgr ? b : r, c2 = bgr ? r : b;
    dst[i] = c0 * scale[0] + offset[0];
    dst[i + 1] = g * scale[1] + offset[1];
    dst[i + 2] = c2 * scale[2] + offset[2];
  }
  return dst;
}

/** Inverse of {@link normalizePixels}: model input back to RGB 0..255 bytes, for mosaics and checks. */
export function denormalizePixels(x: ArrayLike<number>, mode: Preprocessing, out?: Uint8Array): Uint8Array {
  const n = x.length;
  const dst = out ?? new Uint8Array(n);
  const { scale, offset } = preprocessingAffine(mode);
  const bgr = channelOrder(mode) === 'bgr';
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let i = 0; i < n; i += 3) {
    const c0 = (x[i] - offset[0]) / scale[0];
    const c1 = (x[i + 1] - offset[1]) / scale[1];
    const c2 = (x[i + 2] - offset[2]) / scale[2];
    dst[i] = clamp(bgr ? c2 : c0);
    dst[i + 1] = clamp(c1);
    dst[i + 2] = clamp(bgr ? c0 : c2);
  }
  return dst;
}
