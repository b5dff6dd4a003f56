/**
 * Decode an image file or buffer (JPEG, PNG, WebP, ...) into RGB bytes with sharp, optionally
 * resized; undecodable input is a SourceError naming the file.
 *
 * @example
 * const img = await decodeImage(await readFile('a.jpg'), 'a.jpg');
 */
import sharp from 'sharp';
import { SourceError } from '../../core/errors.ts';
import type { RgbImage } from '../../core/contract/face-crop.ts';

export async function decodeImage(input: Buffer | string, where: string, size?: { width: number; height: number }): Promise<RgbImage> {
  try {
    let img = sharp(input, { failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb');
    if (size) img = img.resize(size.width, size.height, { fit: 'fill' });
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new SourceError(`cannot decode image (${(err as Error).message})`, { where, hint: 'the file is not a readable JPEG/PNG/WebP image', cause: err });
  }
}
