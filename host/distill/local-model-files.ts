/**
 * face-api's weight maps: a bare weights manifest (`*-weights_manifest.json`, no model topology)
 * decoded into named tensors. Whole tfjs models load through core/tfjs-model-files.ts.
 *
 * @example
 * const weights = await loadLocalWeightMap('node_modules/@vladmandic/face-api/model/age_gender_model-weights_manifest.json');
 */
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../core/errors.ts';
import { readModelJsonFile, readWeightShards } from '../../core/tfjs-model-files.ts';

/** Decode a weights manifest (e.g. face-api's `*-weights_manifest.json`) into named tensors. */
export async function loadLocalWeightMap(manifestPath: string): Promise<tf.NamedTensorMap> {
  const manifest = (await readModelJsonFile(manifestPath)) as tf.io.WeightsManifestConfig;
  if (!Array.isArray(manifest)) {
    throw new ModelFormatError('not a tfjs weights manifest (expected a JSON array of {paths, weights})', { where: manifestPath });
  }
  const { specs, data } = await readWeightShards(manifest, dirname(manifestPath), manifestPath);
  return tf.io.decodeWeights(data, specs);
}
