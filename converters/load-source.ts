/**
 * What `agekit convert --model` accepts, loaded into the IR plus a tfjs reference to compare
 * against: a checkpoint folder (LayersModel + agekit.json) or a graph model's model.json
 * (BlazeFace, HSE-FaceRes, ...). Known graph models get their agekit metadata built in.
 *
 * @example
 * const src = await loadSource('runs/a/best');
 * const [age] = src.predict(x); // tfjs outputs, for --check
 */
import * as tf from '@tensorflow/tfjs';
import { stat, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelFormatError } from '../core/errors.ts';
import { parseModelMetadata, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../core/contract/model-metadata.ts';
import { loadCheckpoint } from '../host/checkpoint/checkpoint.ts';
import '../host/nets/hard-activations.ts';
import type { Graph } from './ir/graph.ts';
import { fromLayersModel } from './ir/from-layers-model.ts';
import { fromGraphModel } from './ir/from-graph-model.ts';
import { loadGraphModelFile } from './ir/load-graph-model.ts';

export interface LoadedSource {
  kind: 'checkpoint' | 'graph-model';
  /** The path given. */
  path: string;
  graph: Graph;
  /** The agekit metadata (from agekit.json, built-in, or --metadata); undefined for a detector. */
  meta?: ModelMetadata;
  /** Input [height, width] of the model. */
  inputSize: [number, number];
  /** tfjs outputs for one input [1, h, w, 3], in the graph's output order. */
  predict(x: Float32Array): Float32Array[];
  dispose(): void;
}

/** Metadata of graph models agekit knows by file name (the teacher HSE-FaceRes). */
function builtinGraphMetadata(file: string, outputNames: string[]): ModelMetadata | undefined {
  if (basename(file) !== 'faceres.json') return undefined;
  const outputIndex = outputNames.findIndex((n) => n.startsWith('age_pred'));
  return {
    format: METADATA_FORMAT, version: METADATA_VERSION, net: 'faceres', inputSize: [224, 224], preprocessing: 'no', head: 'dex',
    readout: { kind: 'expected', outputIndex, bins: 100, firstAge: 0 }, crop: { margin: 0.2, square: true },
    training: { source: 'HSE-FaceRes from @vladmandic/human (teacher)' },
  };
}

/** Read a metadata JSON file given with --metadata. */
export async function readMetadataFile(path: string): Promise<ModelMetadata> {
  let json: unknown;
  try { json = JSON.parse(await readFile(path, 'utf8')); } catch (err) {
    throw new ModelFormatError(`metadata file cannot be read as JSON (${(err as Error).message})`, { where: path, hint: 'give an agekit.json-style ModelMetadata file' });
  }
  return parseModelMetadata(json, path);
}

/** Load a checkpoint folder or a graph model.json. */
export async function loadSource(path: string, metaOverride?: ModelMetadata): Promise<LoadedSource> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new ModelFormatError('model not found', { where: path, hint: 'give a checkpoint folder or a graph model.json' });
  const isGraph = s.isFile() && path.endsWith('.json') && JSON.parse(await readFile(path, 'utf8')).format === 'graph-model';
  if (isGraph) {
    const loaded = await loadGraphModelFile(path);
    const graph = fromGraphModel(loaded);
    const outputNames = graph.outputs.map((t) => graph.tensors[t].name);
    const shape = graph.tensors[graph.inputs[0]].shape;
    return {
      kind: 'graph-model', path, graph, inputSize: [shape[1], shape[2]],
      meta: metaOverride ?? builtinGraphMetadata(path, outputNames),
      predict: (x) => tf.tidy(() => {
        const out = loaded.model.execute(tf.tensor(x, shape)) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
      }),
      dispose: () => loaded.model.dispose(),
    };
  }
  const { model, meta } = await loadCheckpoint(path);
  const graph = fromLayersModel(model);
  const shape = graph.tensors[graph.inputs[0]].shape;
  return {
    kind: 'checkpoint', path, graph, meta: metaOverride ?? meta, inputSize: [shape[1], shape[2]],
    predict: (x) => tf.tidy(() => {
      const out = model.predict(tf.tensor(x, shape)) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    }),
    dispose: () => model.dispose(),
  };
}
