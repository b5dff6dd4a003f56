/**
 * One sample from file to model input: decode (sharp), crop (cropFace, with the augmentation's
 * jitter), photometric augmentation, normalizePixels. The same code runs in the crop workers and,
 * with `workers: 0`, in the calling thread. Large images are decoded at a reduced scale when the
 * crop is far smaller than the face region; the crop geometry itself is always cropFace's.
 *
 * @example
 * const r = await prepareCrops({ jobs: [{ path: '/data/a.jpg' }], outW: 64, outH: 64, preprocessing: 'vggface2', crop: DEFAULT_CROP });
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { cropFace, expandBox, type Box, type CropSpec } from '../../device/contract/face-crop.ts';
import { normalizePixels, type Preprocessing } from '../../device/contract/preprocessing.ts';
import { DataError } from '../../device/errors.ts';
import { readRgb } from '../images.ts';
import { applyPhotometric, type AugmentationParams } from './augmentation.ts';
import { SKIP_REASONS, type SkipReason } from './skip-reasons.ts';

/** One crop to prepare. */
export interface CropJob {
  /** Absolute image path. */
  path: string;
  /** Face box in the (EXIF-oriented) image's pixels; absent = the whole image. */
  box?: Box;
  /** Augmentation draws; absent = none. */
  aug?: AugmentationParams;
}

/** A batch of crops for one worker round trip. Plain data (it crosses a worker boundary). */
export interface CropRequest {
  jobs: CropJob[];
  outW: number;
  outH: number;
  preprocessing: Preprocessing;
  crop: CropSpec;
}

export interface CropResult {
  /** Model input of the jobs that succeeded, in job order: [ok.length, outH, outW, 3]. */
  x: Float32Array;
  /** Indices (into jobs) of the crops in `x`. */
  ok: number[];
  /** Jobs whose image could not be used: the skip reason (`missing_file`, `unreadable_image`) and the error message. */
  failed: CropFailure[];
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

/** Decode and crop one job to RGB bytes [outH, outW, 3] (before photometric augmentation). Throws a DataError naming the file. */
export async function cropJobRgb(job: CropJob, outW: number, outH: number, spec: CropSpec): Promise<Uint8Array> {
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
  const box = job.box ?? { x: 0, y: 0, w: width, h: height };
  const shrink = width * height >= MIN_SHRINK_PIXELS ? decodeShrink(expandBox(box, spec), outW, outH) : 1;
  if (shrink === 1) {
    const img = await readRgb(buf, job.path);
    return cropFace(img, job.box ?? { x: 0, y: 0, w: img.width, h: img.height }, spec, outW, outH, job.aug?.jitter);
  }
  const img = await readRgb(buf, job.path, { resize: { width: Math.ceil(width / shrink), height: Math.ceil(height / shrink) } });
  const sx = img.width / width, sy = img.height / height;
  const scaled: Box = { x: box.x * sx, y: box.y * sy, w: box.w * sx, h: box.h * sy };
  return cropFace(img, scaled, spec, outW, outH, job.aug?.jitter);
}

/** Prepare one job into `out` (length outH*outW*3): crop, photometric augmentation, normalization. */
export async function prepareCrop(job: CropJob, req: Omit<CropRequest, 'jobs'>, out: Float32Array): Promise<void> {
  const rgb = await cropJobRgb(job, req.outW, req.outH, req.crop);
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
  let next = 0;
  const run = async () => {
    while (next < req.jobs.length) {
      const i = next++;
      try {
        await prepareCrop(req.jobs[i], req, x.subarray(i * size, (i + 1) * size));
        good[i] = true;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        const missing = err.message.includes('image file is missing');
        failed.push({ index: i, reason: missing ? SKIP_REASONS.missingFile : SKIP_REASONS.unreadableImage, detail: err.message });
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
  return { x: ok.length === req.jobs.length ? x : x.slice(0, ok.length * size), ok, failed };
}
