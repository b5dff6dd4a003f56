/**
 * Decode an image file or buffer (JPEG, PNG, WebP, ...) for a device source: the shared decoder
 * (core/images.ts), with a failure reported as the source's error.
 *
 * @example
 * const img = await decodeImage(await readFile('a.jpg'), 'a.jpg');
 */
import { AgekitError, SourceError } from '../../core/errors.ts';
import type { RgbImage } from '../../core/contract/face-crop.ts';
import { readRgb } from '../../core/images.ts';

export async function decodeImage(input: Buffer | string, where: string, size?: { width: number; height: number }): Promise<RgbImage> {
  try {
    return await readRgb(input, where, size ? { resize: size } : {});
  } catch (err) {
    if (!(err instanceof AgekitError)) throw err;
    throw new SourceError(err.what, { where, hint: err.hint, cause: err });
  }
}
