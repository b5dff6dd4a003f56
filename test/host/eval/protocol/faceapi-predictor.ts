/**
 * A real pretrained model as an AgePredictor for protocol tests: face-api's AgeGenderNet (the
 * `faceapi` teacher, shipped in @vladmandic/face-api), fed the batch's RGB crops (preprocessing
 * `no` leaves pixels as 0..255 floats). Needs a tfjs backend initialised first.
 */
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../../../core/contract/model-metadata.ts';
import { loadTeacher } from '../../../../host/distill/teacher-registry.ts';
import type { AgePredictor } from '../../../../host/eval/age-predictor.ts';

export async function faceApiPredictor(): Promise<AgePredictor & { teacher: Awaited<ReturnType<typeof loadTeacher>> }> {
  const teacher = await loadTeacher('faceapi');
  const [h, w] = teacher.inputSize;
  const meta: ModelMetadata = { format: METADATA_FORMAT, version: METADATA_VERSION, net: 'faceapi', inputSize: [h, w], preprocessing: 'no', head: 'regression', readout: defaultReadout('regression'), crop: teacher.descriptor.crop };
  return {
    name: 'faceapi', meta, teacher,
    async predict(batch) {
      const crops = Array.from({ length: batch.n }, (_, i) => Uint8Array.from(batch.x.subarray(i * h * w * 3, (i + 1) * h * w * 3), (v) => Math.round(v)));
      return (await teacher.predict(crops)).ages;
    },
    close: () => teacher.close(),
  };
}
