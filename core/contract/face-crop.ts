/**
 * Face cropping: the geometry every stage shares. A face box is made square, enlarged by the
 * model's margin, and resampled (bilinear) to the model's input size. Training augmentation
 * (rotation, shear, box jitter, flip) is the same affine warp with extra terms, so the host and
 * the device crop faces with one piece of code.
 *
 * @example
 * const crop = cropFace(frame, { x: 120, y: 80, w: 64, h: 64 }, { margin: 0.2, square: true }, 96, 96);
 */

/** An RGB image, HWC, 8 bits per channel. */
export interface RgbImage { width: number; height: number; data: Uint8Array }

/** An axis-aligned box in image pixels: top-left corner, width and height. */
export interface Box { x: number; y: number; w: number; h: number }

/** How a detected face box becomes the crop the model sees (stored in the model's metadata). */
export interface CropSpec {
  /** Fraction of the (squared) box side added on each side; 0 keeps the box. Default 0. */
  margin: number;
  /** Make the box square about its centre (side = max(w, h)) before the margin. Default true. */
  square: boolean;
}

export const DEFAULT_CROP: CropSpec = { margin: 0, square: true };

/**
 * Geometric jitter applied about the box centre, in training only.
 * All fields default to the identity.
 */
export interface CropJitter {
  /** Rotation in degrees; positive turns the face clockwise as displayed (y down). */
  angleDeg?: number;
  /** Horizontal shear factor. */
  shear?: number;
  /** Shift of the centre as a fraction of the box side. */
  dx?: number;
  dy?: number;
  /** Multiplier of the box side. */
  scale?: number;
  /** Mirror left-right. */
  flip?: boolean;
}

/** A 2x3 affine map from output pixel (u, v) to source pixel (x, y): x = a u + b v + c, y = d u + e v + f. */
export type Affine = [number, number, number, number, number, number];

/** The square (or not), margin-enlarged box that the crop covers, in image pixels. May leave the image. */
export function expandBox(box: Box, spec: CropSpec): Box {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  let w = box.w, h = box.h;
  if (spec.square) w = h = Math.max(box.w, box.h);
  w *= 1 + 2 * spec.margin;
  h *= 1 + 2 * spec.margin;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/** The affine map from an outW x outH crop to the source image for a box, crop spec and jitter. */
export function cropTransform(box: Box, spec: CropSpec, outW: number, outH: number, jitter: CropJitter = {}): Affine {
  const region = expandBox(box, spec);
  const scale = jitter.scale ?? 1;
  const sx = (region.w * scale) / outW;
  const sy = (region.h * scale) / outH;
  const cx = region.x + region.w / 2 + (jitter.dx ?? 0) * region.w;
  const cy = region.y + region.h / 2 + (jitter.dy ?? 0) * region.h;
  const t = ((jitter.angleDeg ?? 0) * Math.PI) / 180;
  const cos = Math.cos(t), sin = Math.sin(t);
  const k = jitter.shear ?? 0;
  const flip = jitter.flip ? -1 : 1;
  // Output pixel centre (u + 0.5) relative to the crop centre, in source units before rotation.
  // p = R(t) * Shear(k) * diag(flip*sx, sy) * (u + 0.5 - outW/2, v + 0.5 - outH/2) + centre
  const m00 = flip * sx, m11 = sy;
  const s00 = m00, s01 = k * m11, s10 = 0, s11 = m11;
  const a = cos * s00 + sin * s10, b = cos * s01 + sin * s11;
  const d = -sin * s00 + cos * s10, e = -sin * s01 + cos * s11;
  const u0 = 0.5 - outW / 2, v0 = 0.5 - outH / 2;
  // Source pixel centres sit at integer + 0.5; sample coordinates are in pixel-index space.
  const c = a * u0 + b * v0 + cx - 0.5;
  const f = d * u0 + e * v0 + cy - 0.5;
  return [a, b, c, d, e, f];
}

/**
 * Resample an image through an affine map, bilinear, with edge pixels replicated outside it.
 * @returns outW x outH RGB bytes, HWC
 */
export function warpAffine(src: RgbImage, m: Affine, outW: number, outH: number, out?: Uint8Array): Uint8Array {
  const dst = out ?? new Uint8Array(outW * outH * 3);
  const { width: W, height: H, data } = src;
  const [a, b, c, d, e, f] = m;
  const maxX = W - 1, maxY = H - 1;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      let x = a * u + b * v + c;
      let y = d * u + e * v + f;
      if (x < 0) x = 0; else if (x > maxX) x = maxX;
      if (y < 0) y = 0; else if (y > maxY) y = maxY;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = x - x0, fy = y - y0;
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      const p00 = (y0 * W + x0) * 3, p01 = (y0 * W + x1) * 3, p10 = (y1 * W + x0) * 3, p11 = (y1 * W + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        dst[o++] = Math.round(w00 * data[p00 + ch] + w01 * data[p01 + ch] + w10 * data[p10 + ch] + w11 * data[p11 + ch]);
      }
    }
  }
  return dst;
}

/**
 * Crop one face for a model: square, margin, resize to outW x outH, optional training jitter.
 * When the region is much larger than the crop, the source is box-averaged by an integer factor
 * first: bilinear sampling alone would alias on large downscales (a 400 px face to 64 px).
 */
export function cropFace(src: RgbImage, box: Box, spec: CropSpec, outW: number, outH: number, jitter?: CropJitter): Uint8Array {
  const region = expandBox(box, spec);
  const factor = Math.floor(Math.min(region.w / outW, region.h / outH) / 1.5);
  if (factor >= 2) {
    // Downscale by an integer factor with a box filter first, then warp the smaller image.
    const small = downscaleBox(src, factor);
    const scaled: Box = { x: box.x / factor, y: box.y / factor, w: box.w / factor, h: box.h / factor };
    return warpAffine(small, cropTransform(scaled, spec, outW, outH, jitter), outW, outH);
  }
  return warpAffine(src, cropTransform(box, spec, outW, outH, jitter), outW, outH);
}

/** Average non-overlapping factor x factor blocks (edges cropped): an anti-aliased integer downscale. */
export function downscaleBox(src: RgbImage, factor: number): RgbImage {
  const w = Math.floor(src.width / factor), h = Math.floor(src.height / factor);
  const out = new Uint8Array(w * h * 3);
  const inv = 1 / (factor * factor);
  const acc = new Float64Array(w * 3);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      const row = (y * factor + dy) * src.width * 3;
      for (let x = 0; x < w; x++) {
        let p = row + x * factor * 3;
        for (let dx = 0; dx < factor; dx++, p += 3) {
          acc[x * 3] += src.data[p]; acc[x * 3 + 1] += src.data[p + 1]; acc[x * 3 + 2] += src.data[p + 2];
        }
      }
    }
    for (let i = 0; i < w * 3; i++) out[y * w * 3 + i] = Math.round(acc[i] * inv);
  }
  return { width: w, height: h, data: out };
}
