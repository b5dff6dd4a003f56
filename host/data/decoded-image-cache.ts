/**
 * Decoded images kept across epochs, so a training run pays for reading and decoding each JPEG
 * once: on UTKFace's 200x200 faces, reading and decoding are about 85% of a crop's preparation
 * (cropping, augmentation and normalization are the rest). Pixels live in SharedArrayBuffers
 * owned by the thread that runs the CropWorkerPool; requests hand them to the workers by
 * reference (no copy), and workers hand new decodes back the same way.
 *
 * There is no eviction: once the byte budget is reached the cache stops growing. Training reads
 * a shuffled permutation each epoch, so any policy holding k of n images hits k/n of the time;
 * filling once and keeping avoids copying and freeing images that would be read again anyway.
 *
 * @example
 * const pool = new CropWorkerPool(1, { decodeCache: new DecodedImageCache(2 * 2 ** 30) });
 * for (let epoch = 1; epoch <= 30; epoch++) for await (const b of batchStream(ds, { ...opts, pool })) train(b);
 * console.log(pool.decodeCache?.stats());
 */
import { totalmem } from 'node:os';
import { UsageError } from '../../core/errors.ts';

/** One decoded image as the crop code needs it: RGB bytes, HWC, in shared memory. */
export interface DecodedImage {
  width: number;
  height: number;
  /** width * height * 3 bytes. */
  data: SharedArrayBuffer;
  /** Size of the full (EXIF-oriented) image; larger than width x height when decoded at reduced scale. */
  sourceWidth: number;
  sourceHeight: number;
}

export interface DecodedImageCacheStats {
  images: number;
  bytes: number;
  budgetBytes: number;
  /** Lookups that found the image / did not, since the cache was made. */
  hits: number;
  misses: number;
  /** True once an image was refused for lack of room. */
  full: boolean;
}

/** Default budget: a quarter of the machine's memory, at most 4 GiB (UTKFace's 16k training faces take 1.9 GB). */
export function defaultDecodeCacheBytes(): number {
  return Math.min(4 * 2 ** 30, Math.floor(totalmem() / 4));
}

/** Parse `--decode-cache <MB>` (0 turns the cache off). */
export function parseDecodeCacheMb(value: string, where = '--decode-cache'): number {
  const mb = Number(value);
  if (value.trim() === '' || !Number.isFinite(mb) || mb < 0) {
    throw new UsageError(`expected a size in MB, 0 or more (got "${value}")`, { where, hint: 'e.g. --decode-cache 2048; 0 decodes every image every epoch' });
  }
  return Math.floor(mb * 2 ** 20);
}

export class DecodedImageCache {
  private readonly images = new Map<string, DecodedImage>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private refused = false;

  /** @param budgetBytes most pixel bytes held; images beyond it are decoded every time they are read. */
  constructor(readonly budgetBytes: number = defaultDecodeCacheBytes()) {
    if (!Number.isFinite(budgetBytes) || budgetBytes < 0) throw new UsageError(`budget must be 0 or more bytes (got ${budgetBytes})`, { where: 'DecodedImageCache' });
  }

  /** The image decoded earlier for `path`, counted as a hit or a miss. */
  get(path: string): DecodedImage | undefined {
    const img = this.images.get(path);
    if (img) this.hits++;
    else this.misses++;
    return img;
  }

  /** True while new images may still fit: workers need not send decodes back once it is false. */
  get accepting(): boolean {
    return !this.refused;
  }

  /** Keep `img` for `path` if it fits in the budget. @returns whether it was kept */
  offer(path: string, img: DecodedImage): boolean {
    if (this.images.has(path)) return true;
    const size = img.data.byteLength;
    if (this.bytes + size > this.budgetBytes) {
      this.refused = true;
      return false;
    }
    this.images.set(path, img);
    this.bytes += size;
    return true;
  }

  stats(): DecodedImageCacheStats {
    return { images: this.images.size, bytes: this.bytes, budgetBytes: this.budgetBytes, hits: this.hits, misses: this.misses, full: this.refused };
  }

  /** Drop every image (the memory is freed once no worker holds a request that uses it). */
  clear(): void {
    this.images.clear();
    this.bytes = 0;
  }
}
