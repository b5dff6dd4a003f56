/**
 * The AgeGenderNet of @vladmandic/face-api, run from its weights manifest with our own tfjs ops:
 * a TinyXception feature extractor (2 main blocks) on 112x112 RGB input, (pixel - mean) / 255,
 * a 7x7 average pool and a fully connected age regression. Written from the layer names in the
 * manifest and face-api's published architecture, so the teacher needs no face-api runtime
 * (whose bundled tfjs would be a second copy).
 *
 * @example
 * const runner = await createFaceApiAgeGenderRunner('node_modules/@vladmandic/face-api/model/age_gender_model-weights_manifest.json');
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../core/errors.ts';
import { loadLocalWeightMap } from './local-model-files.ts';
import type { TeacherRunner } from './teacher.ts';

/** face-api's TinyXception channel means, R, G, B, on 0..255 pixels (the input is then / 255). */
export const FACEAPI_MEAN_RGB: [number, number, number] = [122.782, 117.001, 104.298];
/** Input side of the AgeGenderNet. */
export const FACEAPI_INPUT_SIZE = 112;
const MAIN_BLOCKS = 2;

/** Run the AgeGenderNet on normalized [n, 112, 112, 3] input; returns age [n, 1]. */
function forward(wm: tf.NamedTensorMap, x: tf.Tensor4D): tf.Tensor2D {
  const W = (name: string): tf.Tensor => {
    const t = wm[name];
    if (!t) throw new ModelFormatError(`weight "${name}" is missing`, { where: 'face-api age_gender_model', hint: 'the manifest is not an AgeGenderNet' });
    return t;
  };
  const conv = (t: tf.Tensor4D, p: string, stride: number) => tf.add(tf.conv2d(t, W(`${p}/filters`) as tf.Tensor4D, stride, 'same'), W(`${p}/bias`)) as tf.Tensor4D;
  const sep = (t: tf.Tensor4D, p: string) =>
    tf.add(tf.separableConv2d(t, W(`${p}/depthwise_filter`) as tf.Tensor4D, W(`${p}/pointwise_filter`) as tf.Tensor4D, 1, 'same'), W(`${p}/bias`)) as tf.Tensor4D;
  const reduction = (t: tf.Tensor4D, p: string, activateInput: boolean) => {
    let out = activateInput ? tf.relu(t) : t;
    out = sep(out, `${p}/separable_conv0`);
    out = sep(tf.relu(out), `${p}/separable_conv1`);
    out = tf.maxPool(out, 3, 2, 'same');
    return tf.add(out, conv(t, `${p}/expansion_conv`, 2)) as tf.Tensor4D;
  };
  const main = (t: tf.Tensor4D, p: string) => {
    let out = sep(tf.relu(t), `${p}/separable_conv0`);
    out = sep(tf.relu(out), `${p}/separable_conv1`);
    out = sep(tf.relu(out), `${p}/separable_conv2`);
    return tf.add(out, t) as tf.Tensor4D;
  };
  let out = tf.relu(conv(x, 'entry_flow/conv_in', 2));
  out = reduction(out, 'entry_flow/reduction_block_0', false);
  out = reduction(out, 'entry_flow/reduction_block_1', true);
  for (let i = 0; i < MAIN_BLOCKS; i++) out = main(out, `middle_flow/main_block_${i}`);
  out = reduction(out, 'exit_flow/reduction_block', true);
  out = tf.relu(sep(out, 'exit_flow/separable_conv'));
  const pooled = tf.avgPool(out, 7, 2, 'valid').reshape([x.shape[0], -1]) as tf.Tensor2D;
  return tf.add(tf.matMul(pooled, W('fc/age/weights') as tf.Tensor2D), W('fc/age/bias')) as tf.Tensor2D;
}

/** Load the AgeGenderNet weights manifest and return a runner whose output is the age, [n, 1]. */
export async function createFaceApiAgeGenderRunner(manifestPath: string): Promise<TeacherRunner> {
  const wm = await loadLocalWeightMap(manifestPath);
  if (!wm['fc/age/weights'] || !wm['entry_flow/conv_in/filters']) {
    tf.dispose(Object.values(wm));
    throw new ModelFormatError('weights manifest has no fc/age or entry_flow/conv_in weights', { where: manifestPath, hint: 'expected face-api age_gender_model-weights_manifest.json' });
  }
  const s = FACEAPI_INPUT_SIZE;
  return {
    parameters: Object.values(wm).reduce((n, t) => n + t.size, 0),
    async run(x, n) {
      const y = tf.tidy(() => forward(wm, tf.tensor4d(x, [n, s, s, 3])));
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    async close() { tf.dispose(Object.values(wm)); },
  };
}
