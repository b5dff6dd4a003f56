/**
 * Loading tfjs models from local files without tfjs-node: tfjs's `file://` handler lives in
 * tfjs-node, which is optional and usually absent here, so the model JSON and its weight shards
 * are read with node:fs and handed to tfjs from memory. Errors name the file.
 *
 * @example
 * const model = await loadLocalGraphModel('node_modules/@vladmandic/human/models/faceres.json');
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../core/errors.ts';

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
  weightsManifest?: tf.io.WeightsManifestConfig;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFormatError(`model file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      where: path, hint: 'check the path', cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`model file is not valid JSON (${(err as Error).message})`, { where: path, hint: 'expected a tfjs model.json', cause: err });
  }
}

/** Read every shard a weights manifest names (paths relative to `dir`) into one buffer. */
export async function readWeightShards(manifest: tf.io.WeightsManifestConfig, dir: string, where: string): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = resolve(dir, p);
      try {
        buffers.push(await readFile(file));
      } catch (err) {
        throw new ModelFormatError(`weight shard "${p}" cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
          where, hint: `the .bin files must sit beside the manifest (looked for ${file})`, cause: err,
        });
      }
    }
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) { data.set(b, at); at += b.byteLength; }
  return { specs, data: data.buffer };
}

/** The model artifacts of a tfjs model.json (graph or layers) and its shards, from disk. */
export async function readModelArtifacts(path: string): Promise<tf.io.ModelArtifacts> {
  const json = (await readJson(path)) as ModelJson;
  if (typeof json !== 'object' || json === null || json.modelTopology === undefined) {
    throw new ModelFormatError('not a tfjs model.json (no "modelTopology")', { where: path, hint: 'expected a file written by tfjs (tfjs_graph_model or layers-model)' });
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw new ModelFormatError('tfjs model.json has no "weightsManifest"', { where: path, hint: 'the model has no weights listed; re-export it' });
  }
  const { specs, data } = await readWeightShards(json.weightsManifest, dirname(path), path);
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    signature: json.signature as tf.io.ModelArtifacts['signature'],
    userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    modelInitializer: json.modelInitializer as tf.io.ModelArtifacts['modelInitializer'],
    weightSpecs: specs,
    weightData: data,
  };
}

/** Load a tfjs graph model (model.json + .bin shards) from a local path. */
export async function loadLocalGraphModel(path: string): Promise<tf.GraphModel> {
  const artifacts = await readModelArtifacts(path);
  try {
    return await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFormatError(`tfjs cannot load this graph model (${(err as Error).message})`, { where: path, hint: 'is it a layers model? set "kind": "layers"', cause: err });
  }
}

/** Load a tfjs layers model (model.json + .bin shards) from a local path. */
export async function loadLocalLayersModel(path: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(path);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFormatError(`tfjs cannot load this layers model (${(err as Error).message})`, { where: path, hint: 'is it a graph model? set "kind": "graph"', cause: err });
  }
}

/** Decode a weights manifest (e.g. face-api's `*-weights_manifest.json`) into named tensors. */
export async function loadLocalWeightMap(manifestPath: string): Promise<tf.NamedTensorMap> {
  const manifest = (await readJson(manifestPath)) as tf.io.WeightsManifestConfig;
  if (!Array.isArray(manifest)) {
    throw new ModelFormatError('not a tfjs weights manifest (expected a JSON array of {paths, weights})', { where: manifestPath });
  }
  const { specs, data } = await readWeightShards(manifest, dirname(manifestPath), manifestPath);
  return tf.io.decodeWeights(data, specs);
}
