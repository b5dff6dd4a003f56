/**
 * JPEG compression (ImageNet-C): encode at a low quality with libjpeg (through sharp; 4:2:0
 * chroma subsampling, as PIL's default) and decode again.
 *
 * @example
 * const blocky = await jpegCompression.apply(face, 5, rng);
 */
import sharp from 'sharp';
import type { RgbImage } from '../../core/contract/face-crop.ts';
import type { Corruption, Severity } from './corruption.ts';

export const JPEG_QUALITY: readonly number[] = [25, 18, 15, 10, 7];

/** Encode RGB bytes as JPEG at `quality` (1..100). */
export async function encodeJpeg(img: RgbImage, quality: number): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
}

export const jpegCompression: Corruption = {
  name: 'jpeg_compression', group: 'digital',
  description: `JPEG quality ${JPEG_QUALITY.join(', ')}`,
  async apply(img: RgbImage, severity: Severity) {
    const jpeg = await encodeJpeg(img, JPEG_QUALITY[severity - 1]);
    const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  },
};
