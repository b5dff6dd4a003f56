/**
 * Loading a tfjs graph model (model.json + weight shards) from disk without tfjs-node: the
 * files are read here and handed to tf.loadGraphModel through an in-memory IOHandler. The raw
 * artifacts are kept, since the importer needs the GraphDef nodes the GraphModel hides.
 *
 * @example
 * const { model, artifacts } = await loadGraphModelFile('node_modules/@vladmandic/human/models/blazeface.json');
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ModelFormatError } from '../../core/errors.ts';

export interface LoadedGraphModel { model: tf.GraphModel; artifacts: tf.io.ModelArtifacts; path: string }

/** Read model.json and its weight files, and load them as a GraphModel. */
export async function loadGraphModelFile(path: string): Promise<LoadedGraphModel> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFormatError(code === 'ENOENT' ? 'graph model file is missing' : `graph model JSON cannot be parsed (${(err as Error).message})`, {
      where: path, hint: 'pass the model.json of a tfjs graph model (tensorflowjs_converter output)',
    });
  }
  const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] | undefined;
  if (json.format !== 'graph-model' || !json.modelTopology || !Array.isArray(manifest)) {
    throw new ModelFormatError(`not a tfjs graph model (format ${JSON.stringify(json.format)})`, {
      where: path, hint: 'a LayersModel checkpoint is converted from its folder (--model <checkpoint dir>)',
    });
  }
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const file = resolve(dirname(path), p);
      try {
        parts.push(new Uint8Array(await readFile(file)));
      } catch {
        throw new ModelFormatError(`weight file ${p} is missing`, { where: path, hint: `put ${p} beside the model.json` });
      }
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { weightData.set(p, at); at += p.length; }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: json.format as string,
    generatedBy: json.generatedBy as string,
    convertedBy: json.convertedBy as string,
    signature: json.signature as object,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object>,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
  };
  try {
    const model = await tf.loadGraphModel({ load: async () => artifacts });
    return { model, artifacts, path };
  } catch (err) {
    throw new ModelFormatError(`graph model cannot be loaded (${(err as Error).message})`, { where: path, hint: 'the weight files may be truncated; copy the model again' });
  }
}
