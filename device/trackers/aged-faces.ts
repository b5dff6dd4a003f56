/**
 * A frame's faces as the tracker takes them: box, age and, when the tracker does re-entry, the
 * appearance signature of each face's crop (the crop the age model got; nothing else is computed).
 * One function for the device pipeline and the kiosk page, so both track the same way.
 *
 * @example
 * const tracked = tracker.update(frame.tMs, agedFaces(boxes, ages, crops, tracker, estimator.meta.inputSize));
 */
import type { AgeEstimate, AgedFace, FaceBox, FaceCrop, Tracker } from '../stages.ts';
import { appearanceSignature } from './appearance-signature.ts';

/** `crops[i]` and `ages[i]` belong to `boxes[i]`; `inputSize` is the crops' [height, width]. Without crops, no signatures. */
export function agedFaces(boxes: FaceBox[], ages: AgeEstimate[], crops: FaceCrop[], tracker: Pick<Tracker, 'wantsSignatures'>, inputSize?: readonly [number, number]): AgedFace[] {
  const [h, w] = inputSize ?? [0, 0];
  return boxes.map((box, i) => ({
    box, age: ages[i]?.age,
    signature: tracker.wantsSignatures && crops[i] && w > 0 ? appearanceSignature(crops[i].rgb, w, h) : undefined,
  }));
}
