/**
 * How a detector's face boxes sit against the faces' true boxes: centre offset (as a fraction of
 * the true box's side) and scale (side of the squared detected box over the true side), each as
 * mean and standard deviation. With several placements of the same face, the spread splits into
 * the part that belongs to the face (its mean box) and the part that changes from frame to frame.
 *
 * @example
 * const noise = boxNoise([{ faceId: 0, detected, truth }]);
 * // noise.dx.sd: spread of the horizontal centre offset, in units of the true side
 */
import type { Box } from '../../core/contract/face-crop.ts';

/** One detected box and the true box of the same face. `faceId` groups placements of one face. */
export interface BoxPair { faceId: number; detected: Box; truth: Box }

/** Mean and standard deviation of one quantity; `withinFaceSd` is its spread around each face's own mean. */
export interface SpreadStat { mean: number; sd: number; withinFaceSd?: number }

export interface BoxNoise {
  /** Box pairs measured. */
  n: number;
  /** Faces measured (distinct faceIds). */
  faces: number;
  /** Centre offset (detected - true) / true side, horizontal and vertical. */
  dx: SpreadStat;
  dy: SpreadStat;
  /** Side of the squared detected box / side of the squared true box. */
  scale: SpreadStat;
  /** Mean intersection over union of the two boxes. */
  iou: number;
}

/** Intersection over union of two boxes. */
export function boxIou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** The offsets of one pair: dx, dy in true sides, scale as a ratio of squared sides. */
export function boxOffsets(detected: Box, truth: Box): { dx: number; dy: number; scale: number } {
  const side = Math.max(truth.w, truth.h);
  return {
    dx: (detected.x + detected.w / 2 - (truth.x + truth.w / 2)) / side,
    dy: (detected.y + detected.h / 2 - (truth.y + truth.h / 2)) / side,
    scale: Math.max(detected.w, detected.h) / side,
  };
}

function spread(values: number[], groups: number[]): SpreadStat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  const byFace = new Map<number, number[]>();
  values.forEach((v, i) => { const g = byFace.get(groups[i]) ?? []; g.push(v); byFace.set(groups[i], g); });
  let ss = 0, dof = 0;
  for (const g of byFace.values()) {
    if (g.length < 2) continue;
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    ss += g.reduce((a, v) => a + (v - m) ** 2, 0);
    dof += g.length - 1;
  }
  return dof > 0 ? { mean, sd, withinFaceSd: Math.sqrt(ss / dof) } : { mean, sd };
}

/** Statistics of detected against true boxes; undefined when there is no pair. */
export function boxNoise(pairs: BoxPair[]): BoxNoise | undefined {
  if (pairs.length === 0) return undefined;
  const offsets = pairs.map((p) => boxOffsets(p.detected, p.truth));
  const ids = pairs.map((p) => p.faceId);
  return {
    n: pairs.length,
    faces: new Set(ids).size,
    dx: spread(offsets.map((o) => o.dx), ids),
    dy: spread(offsets.map((o) => o.dy), ids),
    scale: spread(offsets.map((o) => o.scale), ids),
    iou: pairs.reduce((a, p) => a + boxIou(p.detected, p.truth), 0) / pairs.length,
  };
}

/** The statistics in snake_case for JSON reports. */
export function boxNoiseJson(b: BoxNoise): Record<string, unknown> {
  const s = (v: SpreadStat) => ({ mean: v.mean, sd: v.sd, ...(v.withinFaceSd !== undefined ? { within_face_sd: v.withinFaceSd } : {}) });
  return { n: b.n, faces: b.faces, dx: s(b.dx), dy: s(b.dy), scale: s(b.scale), iou: b.iou };
}
