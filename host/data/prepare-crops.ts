/**
 * One sample from file to model input: decode (sharp), crop (cropFace, with the augmentation's
 * jitter), photometric augmentation, normalizePixels. The same code runs in the crop workers and,
 * with `workers: 0`, in the calling thread. Large images are decoded at a reduced scale when the
 * crop is far smaller than the face region; the crop geometry itself is always cropFace's. A job
 * may carry its image already decoded (a DecodedImageCache hit), which skips reading and decoding.
 *
 * @example
 * const r = await prepareCrops({ jobs: [{ path: '/data/a.jpg' }], outW: 64, outH: 64, preprocessing: 'vggface2', crop: DEFAULT_CROP });
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { cropFace, expandBox, type Box, type CropSpec, type RgbImage } from '../../core/contract/face-crop.ts';
import { normalizePixels, type Preprocessing } from '../../core/contract/preprocessing.ts';
import { DataError } from '../../core/errors.ts';
import { readRgb } from '../../core/images.ts';
import { applyPhotometric, type AugmentationParams } from './augmentation.ts';
import type { DecodedImage } from './decoded-image-cache.ts';
import { SKIP_REASONS, type SkipReason } from './skip-reasons.ts';

/** One crop to prepare. */
export interface CropJob {
  /** Absolute image path. */
  path: string;
  /** Face box in the (EXIF-oriented) image's pixels; absent = the whole image. */
  box?: Box;
  /** Augmentation draws; absent = none. */
  aug?: AugmentationParams;
  /** The image decoded earlier (from the pool's DecodedImageCache); used instead of reading the file when it fits the job. */
  decoded?: DecodedImage;
}

/** A batch of crops for one worker round trip. Plain data (it crosses a worker boundary). */
export interface CropRequest {
  jobs: CropJob[];
  outW: number;
  outH: number;
  preprocessing: Preprocessing;
  crop: CropSpec;
  /** Send fresh decodes back in `CropResult.decoded` (the pool's cache still has room). */
  returnDecoded?: boolean;
}

export interface CropResult {
  /** Model input of the jobs that succeeded, in job order: [ok.length, outH, outW, 3]. */
  x: Float32Array;
  /** Indices (into jobs) of the crops in `x`. */
  ok: number[];
  /** Jobs whose image could not be used: the skip reason (`missing_file`, `unreadable_image`, `box_outside_image`) and the error message. */
  failed: CropFailure[];
  /** With `returnDecoded`: the images decoded for this request (index into jobs), in shared memory. */
  decoded?: { index: number; image: DecodedImage }[];
}

export interface CropFailure { index: number; reason: SkipReason; detail: string }

/**
 * Decode-time downscale only pays off for big reductions of big images: measured on UTKFace's
 * 200x200 JPEGs, decoding at 1/2 or 1/4 scale is no faster than a full decode (the fixed cost of
 * a sharp call dominates), so small images always decode at full size.
 */
const MIN_DECODE_SHRINK = 4;
const MIN_SHRINK_PIXELS = 500_000;
/** Files smaller than this are never that large an image (a 200x200 face JPEG is ~8 KB): skip the header read. */
const MIN_SHRINK_FILE_BYTES = 48_000;

/**
 * The integer factor an image can be shrunk by while decoding without changing what cropFace
 * sees beyond its own anti-aliasing step: a power of two no larger than cropFace's box-filter factor.
 */
export function decodeShrink(region: Box, outW: number, outH: number): number {
  const factor = Math.floor(Math.min(region.w / outW, region.h / outH) / 1.5);
  let shrink = 1;
  while (shrink * 2 <= factor) shrink *= 2;
  return shrink >= MIN_DECODE_SHRINK ? shrink : 1;
}

/** A job's image as decoded for its crop: the whole image, or a reduced-scale decode of a large one. */
export interface JobImage {
  img: RgbImage;
  /** Size of the full (EXIF-oriented) image that the job's box refers to. */
  sourceWidth: number;
  sourceHeight: number;
}

/** Read and decode one job's image, at reduced scale when the crop is far smaller than a large image. Throws a DataError naming the file. */
export async function decodeJobImage(job: CropJob, outW: number, outH: number, spec: CropSpec): Promise<JobImage> {
  let buf: Buffer;
  try {
    buf = await readFile(job.path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DataError(missing ? 'image file is missing' : `image cannot be read (${(err as NodeJS.ErrnoException).code})`, { where: job.path, hint: 'check the path in the label file' });
  }
  let width = 0, height = 0;
  if (buf.length >= MIN_SHRINK_FILE_BYTES) {
    try {
      const meta = await sharp(buf).metadata();
      // EXIF orientations 5..8 swap width and height after readRgb's rotate().
      const swap = (meta.orientation ?? 1) >= 5;
      width = (swap ? meta.height : meta.width) ?? 0;
      height = (swap ? meta.width : meta.height) ?? 0;
    } catch {
      width = height = 0; // readRgb below reports the decode error with its message
    }
  }
  const shrink = shrinkFor(job, width, height, outW, outH, spec);
  if (shrink === 1) {
    const img = await readRgb(buf, job.path);
    return { img, sourceWidth: img.width, sourceHeight: img.height };
  }
  const img = await readRgb(buf, job.path, { resize: { width: Math.ceil(width / shrink), height: Math.ceil(height / shrink) } });
  return { img, sourceWidth: width, sourceHeight: height };
}

/** The decode-time shrink of a job on an image of this (oriented) size; 1 when the size is unknown (0). */
function shrinkFor(job: CropJob, width: number, height: number, outW: number, outH: number, spec: CropSpec): number {
  if (width * height < MIN_SHRINK_PIXELS) return 1;
  return decodeShrink(expandBox(job.box ?? { x: 0, y: 0, w: width, h: height }, spec), outW, outH);
}

/** A face box with no pixel inside its image (skip reason `box_outside_image`). */
export class BoxOutsideImageError extends DataError {}

/** Throw {@link BoxOutsideImageError} when `box` does not overlap a width x height image at all. */
export function checkBoxInImage(box: Box, width: number, height: number, where: string): void {
  if (box.x >= width || box.y >= height || box.x + box.w <= 0 || box.y + box.h <= 0) {
    throw new BoxOutsideImageError(`face box ${box.x},${box.y},${box.w},${box.h} lies entirely outside the ${width}x${height} image`, {
      where, hint: 'boxes are x,y,w,h in pixels of the image as stored (after EXIF rotation); fix the box',
    });
  }
}

/** Crop a decoded image for its job: the box (in source pixels) is scaled to the decoded size. Throws BoxOutsideImageError for a box off the image. */
export function cropJobImage(job: CropJob, source: JobImage, outW: number, outH: number, spec: CropSpec): Uint8Array {
  const { img, sourceWidth, sourceHeight } = source;
  if (job.box) checkBoxInImage(job.box, sourceWidth, sourceHeight, job.path);
  const box = job.box ?? { x: 0, y: 0, w: sourceWidth, h: sourceHeight };
  // Full-size decodes scale by exactly 1, so one path serves both.
  const sx = img.width / sourceWidth, sy = img.height / sourceHeight;
  const scaled: Box = { x: box.x * sx, y: box.y * sy, w: box.w * sx, h: box.h * sy };
  return cropFace(img, scaled, spec, outW, outH, job.aug?.jitter);
}

/** Decode and crop one job to RGB bytes [outH, outW, 3] (before photometric augmentation). Throws a DataError naming the file. */
export async function cropJobRgb(job: CropJob, outW: number, outH: number, spec: CropSpec): Promise<Uint8Array> {
  return cropJobImage(job, await decodeJobImage(job, outW, outH, spec), outW, outH, spec);
}

/**
 * A cached decode serves a job only if it is the decode the job would make: same source and the
 * same decode-time shrink (two boxes on one large photo may need different scales).
 */
function cachedFor(job: CropJob, outW: number, outH: number, spec: CropSpec): JobImage | undefined {
  const d = job.decoded;
  if (!d) return undefined;
  const shrink = shrinkFor(job, d.sourceWidth, d.sourceHeight, outW, outH, spec);
  const w = shrink === 1 ? d.sourceWidth : Math.ceil(d.sourceWidth / shrink);
  const h = shrink === 1 ? d.sourceHeight : Math.ceil(d.sourceHeight / shrink);
  if (d.width !== w || d.height !== h) return undefined;
  return { img: { width: d.width, height: d.height, data: new Uint8Array(d.data) }, sourceWidth: d.sourceWidth, sourceHeight: d.sourceHeight };
}

/** Copy a decode into shared memory, for the pool's DecodedImageCache. */
function toShared(source: JobImage): DecodedImage {
  const data = new SharedArrayBuffer(source.img.data.byteLength);
  new Uint8Array(data).set(source.img.data);
  return { width: source.img.width, height: source.img.height, data, sourceWidth: source.sourceWidth, sourceHeight: source.sourceHeight };
}

/**
 * Prepare one job into `out` (length outH*outW*3): crop, photometric augmentation, normalization.
 * Uses `job.decoded` when it fits the job; a fresh decode is passed to `keep` (if given) in shared memory.
 */
export async function prepareCrop(job: CropJob, req: Omit<CropRequest, 'jobs'>, out: Float32Array, keep?: (decoded: DecodedImage) => void): Promise<void> {
  let source = cachedFor(job, req.outW, req.outH, req.crop);
  if (!source) {
    source = await decodeJobImage(job, req.outW, req.outH, req.crop);
    keep?.(toShared(source));
  }
  const rgb = cropJobImage(job, source, req.outW, req.outH, req.crop);
  normalizePixels(job.aug ? applyPhotometric(rgb, job.aug) : rgb, req.preprocessing, out);
}

/**
 * Prepare every job of a request, `concurrency` decodes at a time (sharp decodes in libuv's
 * threads while this thread crops). A job that fails is reported in `failed`, never thrown.
 */
export async function prepareCrops(req: CropRequest, concurrency = 3): Promise<CropResult> {
  const size = req.outW * req.outH * 3;
  const x = new Float32Array(req.jobs.length * size);
  const good = new Array<boolean>(req.jobs.length).fill(false);
  const failed: CropFailure[] = [];
  const decoded: { index: number; image: DecodedImage }[] = [];
  let next = 0;
  const run = async () => {
    while (next < req.jobs.length) {
      const i = next++;
      try {
        const keep = req.returnDecoded ? (image: DecodedImage) => decoded.push({ index: i, image }) : undefined;
        await prepareCrop(req.jobs[i], req, x.subarray(i * size, (i + 1) * size), keep);
        good[i] = true;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        const missing = err.message.includes('image file is missing');
        const reason = err instanceof BoxOutsideImageError ? SKIP_REASONS.boxOutsideImage : missing ? SKIP_REASONS.missingFile : SKIP_REASONS.unreadableImage;
        failed.push({ index: i, reason, detail: err.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, run));
  failed.sort((a, b) => a.index - b.index);
  const ok: number[] = [];
  good.forEach((g, i) => {
    if (!g) return;
    if (ok.length !== i) x.copyWithin(ok.length * size, i * size, (i + 1) * size);
    ok.push(i);
  });
  const result: CropResult = { x: ok.length === req.jobs.length ? x : x.slice(0, ok.length * size), ok, failed };
  if (req.returnDecoded) result.decoded = decoded;
  return result;
}
