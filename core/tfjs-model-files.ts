/**
 * The one reader of tfjs model files on disk: a `model.json` (layers or graph model) and the
 * weight shards its manifest lists. tfjs's own `file://` handler lives in tfjs-node, which is
 * optional and usually absent, so the files are read with node:fs and handed to tfjs from memory.
 * Checkpoints, teachers, pretrained weights, the tfjs runner and the converter all load through
 * here, so every one of them reports a missing, truncated or foreign file the same way.
 *
 * @example
 * const model = await loadLayersModelFiles('runs/m64/best/model.json');
 * const { model: graph, artifacts } = await loadGraphModelFiles('node_modules/@vladmandic/human/models/blazeface.json');
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from './errors.ts';

/** The fields of a tfjs model.json that agekit reads. */
export interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
  weightsManifest?: tf.io.WeightsManifestConfig;
}

/** A folder holding model.json, or the path of a model JSON itself, to the JSON's path. */
export async function modelJsonPath(path: string): Promise<string> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new ModelFormatError('model not found', { where: path, hint: 'give a checkpoint folder or the path of a tfjs model.json' });
  return s.isDirectory() ? join(path, 'model.json') : path;
}

/** Read and parse a JSON file of a model; a ModelFormatError names the file when it is missing or not JSON. */
export async function readModelJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFormatError(code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`, { where: path, hint: 'check the path; a model folder must be copied whole', cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`is not valid JSON (${(err as Error).message})`, { where: path, hint: 'the file is truncated or not a tfjs model; copy or train it again', cause: err });
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes the manifest's weights take, or undefined when one has a variable size (strings). */
function manifestBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const s of specs) {
    const per = BYTES_PER_ELEMENT[s.quantization?.dtype ?? s.dtype];
    if (per === undefined) return undefined;
    total += s.shape.reduce((a, b) => a * b, 1) * per;
  }
  return total;
}

/**
 * Read every shard a weights manifest lists (paths relative to `dir`) into one buffer, and check
 * that the bytes are exactly what the manifest's shapes and types need.
 */
export async function readWeightShards(manifest: tf.io.WeightsManifestConfig, dir: string, where: string): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const specs = manifest.flatMap((group) => group.weights);
  const paths = manifest.flatMap((group) => group.paths);
  const buffers: Uint8Array[] = [];
  for (const p of paths) {
    try {
      buffers.push(await readFile(resolve(dir, p)));
    } catch (err) {
      throw new ModelFormatError(`weight file "${p}" listed in weightsManifest is missing`, { where, hint: `copy every file the manifest lists next to it (looked for ${resolve(dir, p)})`, cause: err });
    }
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const need = manifestBytes(specs);
  if (need !== undefined && total !== need) {
    throw new ModelFormatError(`weight files ${paths.join(', ')} hold ${total} bytes, the manifest needs ${need}`, { where, hint: 'the files are truncated or belong to another model.json; copy or train the model again' });
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) { data.set(b, at); at += b.byteLength; }
  return { specs, data: data.buffer };
}

/** The model artifacts of a tfjs model.json (graph or layers) and its shards, from disk. */
export async function readModelArtifacts(path: string): Promise<tf.io.ModelArtifacts> {
  const json = await readModelJsonFile(path) as ModelJson | null;
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw new ModelFormatError('is not a tfjs model.json (no "modelTopology")', { where: path, hint: 'expected a file written by tfjs or tensorflowjs_converter' });
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw new ModelFormatError('has no valid "weightsManifest"', { where: path, hint: 'expected a file written by tfjs or tensorflowjs_converter, with its weights listed' });
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

/** A tfjs layers model from its model.json and shards. */
export async function loadLayersModelFiles(path: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(path);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFormatError(`tfjs cannot build this layers model (${(err as Error).message})`, { where: path, hint: 'it uses a layer this agekit does not know, or it is a graph model', cause: err });
  }
}

/** A tfjs graph model from its model.json and shards, with the artifacts (the converter reads them). */
export async function loadGraphModelFiles(path: string): Promise<{ model: tf.GraphModel; artifacts: tf.io.ModelArtifacts }> {
  const artifacts = await readModelArtifacts(path);
  try {
    return { model: await tf.loadGraphModel(tf.io.fromMemory(artifacts)), artifacts };
  } catch (err) {
    throw new ModelFormatError(`tfjs cannot load this graph model (${(err as Error).message})`, { where: path, hint: 'it may be a layers model, or its files come from different models', cause: err });
  }
}
