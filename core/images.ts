/**
 * Image decoding for every side (training, teachers, the device's photo and webcam sources): any
 * format sharp reads, to RGB bytes, EXIF orientation applied. Errors name the file.
 *
 * @example
 * const img = await readRgb('face.jpg'); // { width, height, data: Uint8Array (HWC RGB) }
 */
import sharp from 'sharp';
import { DataError, UsageError } from './errors.ts';
import type { RgbImage } from './contract/face-crop.ts';

// Decoding runs in libvips' own threads; one per core keeps the training thread free.
sharp.concurrency(1);
sharp.cache(false);

/** sharp's default input limit: 0x3FFF x 0x3FFF pixels (about 268 million). */
export const DEFAULT_MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;
/** Environment variable that raises (or, with 0, removes) the pixel limit for every decode. */
export const MAX_IMAGE_PIXELS_ENV = 'AGEKIT_MAX_IMAGE_PIXELS';

/**
 * The largest image (width x height) decoded: {@link MAX_IMAGE_PIXELS_ENV} when set (0 = no
 * limit), else {@link DEFAULT_MAX_IMAGE_PIXELS}. The limit keeps a hostile or mistaken 20000x20000
 * file from taking gigabytes of memory.
 */
export function maxImagePixels(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_IMAGE_PIXELS_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_IMAGE_PIXELS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`expected a whole number of pixels, 0 for no limit (got "${raw}")`, { where: MAX_IMAGE_PIXELS_ENV });
  return n;
}

/** Options of {@link readRgb}. */
export interface ReadRgbOptions {
  /** Largest width x height decoded; 0 = no limit. Default {@link maxImagePixels}(). */
  maxPixels?: number;
  /** Resize (whole image, aspect not kept) to exactly this size while decoding; JPEGs then decode at a reduced scale (much faster for large photos). */
  resize?: { width: number; height: number };
}

/** Decode an image file (or buffer) to RGB, dropping alpha and honouring EXIF orientation. */
export async function readRgb(input: string | Buffer, where = typeof input === 'string' ? input : '<buffer>', options: ReadRgbOptions = {}): Promise<RgbImage> {
  const limit = options.maxPixels ?? maxImagePixels();
  try {
    let pipeline = sharp(input, { failOn: 'error', limitInputPixels: limit === 0 ? false : limit }).rotate();
    if (options.resize) pipeline = pipeline.resize({ width: options.resize.width, height: options.resize.height, fit: 'fill' });
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (/exceeds pixel limit/i.test(msg)) throw await overLimitError(input, where, limit);
    const missing = /no such file|ENOENT|Input file is missing/i.test(msg);
    throw new DataError(missing ? 'image file is missing' : `image cannot be decoded (${msg.split('\n')[0]})`, {
      where,
      hint: missing ? 'check the path in the label file' : 'the file is corrupt or not an image; remove it or re-export it',
    });
  }
}

/** The error for an image over the pixel limit, with its size when the header can be read. */
async function overLimitError(input: string | Buffer, where: string, limit: number): Promise<DataError> {
  const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => undefined);
  const size = meta?.width && meta?.height ? `${meta.width}x${meta.height} = ${meta.width * meta.height} pixels` : 'its size';
  return new DataError(`image is over the pixel limit (${size}; the limit is ${limit} pixels)`, {
    where, hint: `downscale the image, or raise the limit with ${MAX_IMAGE_PIXELS_ENV}=<pixels> (0 for no limit; decoding needs 3 bytes per pixel of memory)`,
  });
}

/** Encode RGB bytes as PNG (for mosaics and plots). */
export async function writePng(img: RgbImage, path: string): Promise<void> {
  await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(path);
}
