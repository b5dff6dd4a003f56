/**
 * Greedy non-maximum suppression over scored boxes, and the IoU it uses (shared with the tracker).
 *
 * @example
 * const keep = nonMaxSuppression(boxes, 0.3, 20); // indices into boxes, best first
 */
import type { Box } from '../../core/contract/face-crop.ts';

/** Intersection over union of two boxes; 0 when either is empty. */
export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.w, b.x + b.w), y1 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Keep the best-scoring box, drop every box overlapping it by more than `iouThreshold`, repeat.
 * @returns indices of kept boxes, highest score first, at most `maxBoxes`
 */
export function nonMaxSuppression(boxes: ReadonlyArray<Box & { score: number }>, iouThreshold: number, maxBoxes = Infinity): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].score - boxes[a].score);
  const keep: number[] = [];
  for (const i of order) {
    if (keep.length >= maxBoxes) break;
    if (keep.every((k) => iou(boxes[i], boxes[k]) <= iouThreshold)) keep.push(i);
  }
  return keep;
}
