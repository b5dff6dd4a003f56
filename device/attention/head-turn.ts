/**
 * A head-turn proxy from BlazeFace's 6 keypoints, and whether a face counts as attentive (turned
 * to the camera, which sits at the screen). No head-pose model: the nose tip stands in front of
 * the eyes, so when the head turns it moves off the eye midpoint, and when the head nods it moves
 * towards the eyes or the mouth.
 *
 * @example
 * const turn = headTurn(face.box.keypoints!); // { yaw: 0.04, pitch: 0.52 } for a frontal face
 * const looking = isAttentive(face.box, { maxYaw: 0.3 });
 */
import type { FaceBox, Point } from '../stages.ts';
import { withDefaults } from '../option-defaults.ts';

/** Unitless proxies, not angles. */
export interface HeadTurn {
  /**
   * Nose tip offset along the eye line from the eye midpoint, divided by the inter-eye distance:
   * 0 frontal, positive when the nose is towards the image's right (the person turns to their
   * left, seen from the camera). Roughly k * tan(yaw) with k (nose depth / eye distance) about
   * 0.5 to 0.7 in adults, so 0.3 is of the order of 25-30 degrees.
   */
  yaw: number;
  /**
   * Nose tip position between the eye line (0) and the mouth (1), measured across the eye line.
   * About 0.5 frontal; smaller when the head tips back (nose towards the eyes), larger when it
   * looks down.
   */
  pitch: number;
}

/** Attention bounds. */
export interface AttentionOptions {
  /** Largest |yaw| of an attentive face (see {@link HeadTurn.yaw}). Default 0.3: 96.5% of 200 frontal UTKFace faces are within it (README "Attention"). */
  maxYaw?: number;
  /** Smallest pitch of an attentive face (see {@link HeadTurn.pitch}). Default 0.2. */
  minPitch?: number;
  /** Largest pitch of an attentive face. Default 0.8. */
  maxPitch?: number;
}

export const DEFAULT_ATTENTION: Required<AttentionOptions> = { maxYaw: 0.3, minPitch: 0.2, maxPitch: 0.8 };

/**
 * The yaw and pitch proxies of one face.
 * @param keypoints BlazeFace's 6 keypoints in frame pixels (right eye, left eye, nose tip, mouth, ...)
 * @returns undefined when the points are degenerate (eyes on top of each other, mouth on the eye line)
 */
export function headTurn(keypoints: readonly Point[]): HeadTurn | undefined {
  if (keypoints.length < 4) return undefined;
  const [re, le, nose, mouth] = keypoints;
  const ex = le.x - re.x, ey = le.y - re.y;
  const eyeDist = Math.hypot(ex, ey);
  if (!(eyeDist > 0)) return undefined;
  // Measure along and across the eye line, so a tilted (rolled) head is not read as a turn.
  const ux = ex / eyeDist, uy = ey / eyeDist;
  const mx = (re.x + le.x) / 2, my = (re.y + le.y) / 2;
  const nx = nose.x - mx, ny = nose.y - my;
  const mouthDown = (mouth.x - mx) * -uy + (mouth.y - my) * ux;
  if (!(mouthDown > 0)) return undefined;
  return { yaw: (nx * ux + ny * uy) / eyeDist, pitch: (nx * -uy + ny * ux) / mouthDown };
}

/** True when the face has keypoints and its head turn is within the bounds; false without keypoints (unknown is not attentive). */
export function isAttentive(box: FaceBox, options: AttentionOptions = {}): boolean {
  const o = withDefaults(DEFAULT_ATTENTION, options);
  const turn = box.keypoints ? headTurn(box.keypoints) : undefined;
  return !!turn && Math.abs(turn.yaw) <= o.maxYaw && turn.pitch >= o.minPitch && turn.pitch <= o.maxPitch;
}
