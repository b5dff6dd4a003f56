/**
 * A cheap, short-lived appearance signature of a face crop, for re-entry only: an 8x8 chromaticity
 * histogram and a 12x12 zero-mean, unit-norm grey patch of the crop's centre (the face, without
 * the margin's background). It is held in memory by the tracker while a visitor may come back and
 * never written anywhere; it cannot rebuild a face (a blurred 12x12 grey patch and 64 colour counts).
 *
 * @example
 * const sig = appearanceSignature(crop.rgb, 64, 64);
 * if (signatureDistance(sig, pooled) <= DEFAULT_REENTRY_THRESHOLD) { ... } // same visitor
 */

/** Grey patch side, px. */
const PATCH = 12;
/** Chromaticity bins per axis (r and g share of r+g+b). */
const BINS = 8;
/** Share of the crop's side kept around its centre: the crop's margin is mostly background. */
const INNER = 0.7;

/** A signature: BINS^2 chromaticity histogram bins (summing to 1), then PATCH^2 grey values (zero mean, unit norm). */
export type AppearanceSignature = Float32Array;

/** The signature of a `width` x `height` RGB (HWC) crop. */
export function appearanceSignature(rgb: Uint8Array, width: number, height: number): AppearanceSignature {
  const sig = new Float32Array(BINS ** 2 + PATCH * PATCH);
  const x0 = Math.floor((width * (1 - INNER)) / 2), y0 = Math.floor((height * (1 - INNER)) / 2);
  const w = Math.max(1, Math.round(width * INNER)), h = Math.max(1, Math.round(height * INNER));
  const cellSum = new Float64Array(PATCH * PATCH), cellN = new Float64Array(PATCH * PATCH);
  for (let y = y0; y < y0 + h; y++) {
    const cy = Math.min(PATCH - 1, Math.floor(((y - y0) * PATCH) / h));
    for (let x = x0; x < x0 + w; x++) {
      const o = (y * width + x) * 3, r = rgb[o], g = rgb[o + 1], b = rgb[o + 2];
      // Chromaticity (r, g shares of the sum) does not move with exposure; its range covers skin and hair.
      const sum = r + g + b || 1;
      const rb = Math.min(BINS - 1, Math.max(0, Math.floor(((r / sum - 0.2) / 0.5) * BINS)));
      const gb = Math.min(BINS - 1, Math.max(0, Math.floor(((g / sum - 0.2) / 0.25) * BINS)));
      sig[rb * BINS + gb]++;
      const c = cy * PATCH + Math.min(PATCH - 1, Math.floor(((x - x0) * PATCH) / w));
      cellSum[c] += 0.299 * r + 0.587 * g + 0.114 * b;
      cellN[c]++;
    }
  }
  const n = w * h;
  for (let i = 0; i < BINS ** 2; i++) sig[i] /= n;
  // Zero mean and unit norm: the same face under a brighter or dimmer exposure gives the same patch.
  let mean = 0;
  for (let c = 0; c < cellSum.length; c++) { cellSum[c] = cellN[c] ? cellSum[c] / cellN[c] : 0; mean += cellSum[c]; }
  mean /= cellSum.length;
  let norm = 0;
  for (let c = 0; c < cellSum.length; c++) norm += (cellSum[c] - mean) ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let c = 0; c < cellSum.length; c++) sig[BINS ** 2 + c] = (cellSum[c] - mean) / norm;
  return sig;
}

/** The two parts of a distance, each 0 (identical) .. 1. */
export interface SignatureDistances {
  /** Half the L1 distance of the colour histograms. */
  colour: number;
  /** (1 - correlation of the grey patches) / 2. */
  patch: number;
}

/** Colour and patch distances of two signatures. */
export function signatureDistances(a: AppearanceSignature, b: AppearanceSignature): SignatureDistances {
  let l1 = 0, dot = 0;
  const k = BINS ** 2;
  for (let i = 0; i < k; i++) l1 += Math.abs(a[i] - b[i]);
  for (let i = k; i < a.length; i++) dot += a[i] * b[i];
  return { colour: l1 / 2, patch: (1 - dot) / 2 };
}

/**
 * Largest {@link signatureDistance} of a re-entry. Measured with `npm run bench:reentry` on 150
 * UTKFace val faces (README "Re-entry"): same face at another place, size and 20% darker: max 0.116;
 * different faces: min 0.117, 0.1% below 0.157.
 */
export const DEFAULT_REENTRY_THRESHOLD = 0.13;

/** The distance re-entry thresholds: the mean of the colour and patch distances, 0..1. */
export function signatureDistance(a: AppearanceSignature, b: AppearanceSignature): number {
  const d = signatureDistances(a, b);
  return (d.colour + d.patch) / 2;
}

/** Blend a new signature into a track's running one (weight `w` for the new), in place; the patch stays unit-norm. */
export function blendSignature(into: AppearanceSignature, next: AppearanceSignature, w: number): void {
  let norm = 0;
  for (let i = 0; i < into.length; i++) {
    into[i] = (1 - w) * into[i] + w * next[i];
    if (i >= BINS ** 2) norm += into[i] ** 2;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = BINS ** 2; i < into.length; i++) into[i] /= norm;
}
