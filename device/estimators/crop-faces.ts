/**
 * The crop stage: every detected face cut out as the model's metadata says (square, margin,
 * resized to the input size), with the same cropFace training uses.
 *
 * @example
 * const crops = cropFaces(frame, boxes, estimator.meta);
 */
import { cropFace } from '../../core/contract/face-crop.ts';
import type { ModelMetadata } from '../../core/contract/model-metadata.ts';
import type { FaceBox, FaceCrop, Frame } from '../stages.ts';

/** One crop per box, `meta.inputSize` ([height, width]) RGB bytes each. */
export function cropFaces(frame: Frame, boxes: FaceBox[], meta: Pick<ModelMetadata, 'crop' | 'inputSize'>): FaceCrop[] {
  const [h, w] = meta.inputSize;
  const img = { width: frame.width, height: frame.height, data: frame.rgb };
  return boxes.map((box) => ({ box, rgb: cropFace(img, box, meta.crop, w, h) }));
}
