/**
 * Loading a tfjs graph model (model.json + weight shards) from disk without tfjs-node: the
 * files are read here and handed to tf.loadGraphModel through an in-memory IOHandler. The raw
 * artifacts are kept, since the importer needs the GraphDef nodes the GraphModel hides.
 *
 * @example
 * const { model, artifacts } = await loadGraphModelFile('node_modules/@vladmandic/human/models/blazeface.json');
 */
import * as tf from '@tensorflow/tfjs';
import { loadGraphModelFiles, readModelJsonFile } from '../../core/tfjs-model-files.ts';

import { ModelFormatError } from '../../core/errors.ts';

export interface LoadedGraphModel { model: tf.GraphModel; artifacts: tf.io.ModelArtifacts; path: string }

/** Read model.json and its weight files, and load them as a GraphModel. */
export async function loadGraphModelFile(path: string): Promise<LoadedGraphModel> {
  const json = await readModelJsonFile(path) as { format?: unknown } | null;
  if (json?.format !== 'graph-model') {
    throw new ModelFormatError(`not a tfjs graph model (format ${JSON.stringify(json?.format)})`, {
      where: path, hint: 'a LayersModel checkpoint is converted from its folder (--model <checkpoint dir>)',
    });
  }
  const { model, artifacts } = await loadGraphModelFiles(path);
  return { model, artifacts, path };
}
