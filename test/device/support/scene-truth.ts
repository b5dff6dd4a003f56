/**
 * Scoring detections and tracks against a scene's ground truth: a detection finds a placed
 * face when its centre lies inside the face's tile and its size is plausible for it.
 */
import type { Box } from '../../../core/contract/face-crop.ts';
import { faceTile, type Scene } from './face-scene.ts';

/** True when `det` is a detection of the face placed at `tile`. */
export function matchesTile(det: Box, tile: Box): boolean {
  const cx = det.x + det.w / 2, cy = det.y + det.h / 2;
  const inside = cx >= tile.x && cx <= tile.x + tile.w && cy >= tile.y && cy <= tile.y + tile.h;
  const ratio = Math.max(det.w, det.h) / tile.w;
  return inside && ratio > 0.4 && ratio < 1.3;
}

export interface SceneScore {
  /** Faces of at least `minPx` found / placed, over all frames. */
  recall: number;
  found: number;
  placed: number;
  /** Detections matching no placed face. */
  falsePositives: number;
}

/** Score per-frame detections (frame index -> boxes) against the scene. */
export function scoreDetections(scene: Scene, detections: Box[][], minPx: number): SceneScore {
  let found = 0, placed = 0, falsePositives = 0;
  detections.forEach((boxes, f) => {
    const tiles = scene.faces.map((_, i) => faceTile(scene, i, f));
    tiles.forEach((tile) => {
      if (tile.w < minPx) return;
      placed++;
      if (boxes.some((b) => matchesTile(b, tile))) found++;
    });
    falsePositives += boxes.filter((b) => !tiles.some((tile) => matchesTile(b, tile))).length;
  });
  return { recall: placed ? found / placed : 0, found, placed, falsePositives };
}
