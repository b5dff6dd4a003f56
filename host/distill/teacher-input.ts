/**
 * From an image file to a teacher's input crop: decode, take the sample's face box (or the whole
 * image when the sample has none, as for aligned chips like UTKFace's), apply the teacher's crop
 * spec and resize with the shared device crop code.
 *
 * @example
 * const crop = await readTeacherCrop(teacher.descriptor, { path: '/data/face.jpg' });
 */
import { cropFace, type Box, type RgbImage } from '../../core/contract/face-crop.ts';
import { cropJobRgb } from '../data/prepare-crops.ts';
import type { TeacherDescriptor } from './teacher-descriptor.ts';

/** A face to label: an image path and, optionally, its face box in image pixels. */
export interface TeacherSample { path: string; box?: Box }

/** Crop an decoded image for a teacher: RGB bytes, inputSize[0] x inputSize[1] x 3. */
export function cropForTeacher(desc: Pick<TeacherDescriptor, 'inputSize' | 'crop'>, image: RgbImage, box?: Box): Uint8Array {
  const face = box ?? { x: 0, y: 0, w: image.width, h: image.height };
  const [h, w] = desc.inputSize;
  return cropFace(image, face, desc.crop, w, h);
}

/**
 * Decode a sample's image and crop it for a teacher (throws DataError naming the file): the same
 * file-to-crop path training uses (a large photo decodes at reduced scale when the crop allows).
 */
export async function readTeacherCrop(desc: Pick<TeacherDescriptor, 'inputSize' | 'crop'>, sample: TeacherSample): Promise<Uint8Array> {
  const [h, w] = desc.inputSize;
  return cropJobRgb({ path: sample.path, box: sample.box }, w, h, desc.crop);
}
