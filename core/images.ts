/**
 * Image decoding for every side (training, teachers, the device's photo and webcam sources): any
 * format sharp reads, to RGB bytes, EXIF orientation applied. Errors name the file.
 *
 * @example
 * const img = await readRgb('face.jpg'); // { width, height, data: Uint8Array (HWC RGB) }
 */
import sharp from 'sharp';
import { DataError } from './errors.ts';
import type { RgbImage } from './contract/face-crop.ts';

// Decoding runs in libvips' own threads; one per core keeps the training thread free.
sharp.concurrency(1);
sharp.cache(false);

/** Options of {@link readRgb}. */
export interface ReadRgbOptions {
  /** Resize (whole image, aspect not kept) to exactly this size while decoding; JPEGs then decode at a reduced scale (much faster for large photos). */
  resize?: { width: number; height: number };
}

/** Decode an image file (or buffer) to RGB, dropping alpha and honouring EXIF orientation. */
export async function readRgb(input: string | Buffer, where = typeof input === 'string' ? input : '<buffer>', options: ReadRgbOptions = {}): Promise<RgbImage> {
  try {
    let pipeline = sharp(input, { failOn: 'error' }).rotate();
    if (options.resize) pipeline = pipeline.resize({ width: options.resize.width, height: options.resize.height, fit: 'fill' });
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const missing = /no such file|ENOENT|Input file is missing/i.test(msg);
    throw new DataError(missing ? 'image file is missing' : `image cannot be decoded (${msg.split('\n')[0]})`, {
      where,
      hint: missing ? 'check the path in the label file' : 'the file is corrupt or not an image; remove it or re-export it',
    });
  }
}

/** Encode RGB bytes as PNG (for mosaics and plots). */
export async function writePng(img: RgbImage, path: string): Promise<void> {
  await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(path);
}
