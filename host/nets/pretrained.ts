/**
 * `--pretraining none|<path>`: load pretrained weights from a local tfjs LayersModel
 * (model.json + weight files, as written by tfjs `model.save` or by tensorflowjs_converter from a
 * Keras .h5) into a freshly built network, matching weights by layer name. ImageNet weights
 * cannot be downloaded on this machine, so `imagenet` alone is an error that says how to supply
 * them; the network files use keras.applications layer names so a converted Keras model loads.
 *
 * @example
 * const model = buildNet('mobilenet96', { head: 'dex' });
 * const report = await loadPretrained(model, 'weights/mobilenet_v2_0.75_96/model.json');
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError, UsageError } from '../../core/errors.ts';
import { readModelJsonFile, readWeightShards } from '../../core/tfjs-model-files.ts';
import { HEAD_LAYER_NAMES } from './heads.ts';

/** A parsed `--pretraining` value. */
export type Pretraining = { kind: 'none' } | { kind: 'path'; path: string };

const IMAGENET_HINT =
  'ImageNet weights cannot be downloaded here (no internet access). On a machine with internet, save the ' +
  'keras.applications model (e.g. MobileNetV2(alpha=0.75, input_shape=(96,96,3)).save("m.h5")), convert it with ' +
  '`tensorflowjs_converter --input_format keras m.h5 outdir`, copy outdir here and pass --pretraining outdir/model.json ' +
  '(or imagenet:outdir/model.json); layers are matched by their Keras names';

/** Parse `none`, `<path>` or `imagenet:<path>`; bare `imagenet` is a UsageError saying how to get the weights. */
export function parsePretraining(value: string): Pretraining {
  const v = value.trim();
  if (v === '' ) throw new UsageError('empty value', { where: '--pretraining', hint: 'use none or a path to a tfjs model.json' });
  if (v === 'none') return { kind: 'none' };
  if (v === 'imagenet') throw new UsageError('"imagenet" needs a local path to the weights', { where: '--pretraining', hint: IMAGENET_HINT });
  const path = v.startsWith('imagenet:') ? v.slice('imagenet:'.length) : v;
  if (path === '') throw new UsageError('"imagenet:" needs a path after the colon', { where: '--pretraining', hint: IMAGENET_HINT });
  return { kind: 'path', path };
}

/** What {@link loadPretrained} did. */
export interface PretrainedReport {
  /** The model.json read. */
  file: string;
  /** Layers whose weights were set from the file. */
  loadedLayers: number;
  /** Scalars loaded. */
  loadedParams: number;
  /** Head layers left at their fresh initialisation (absent from the file or of another head). */
  freshHeadLayers: string[];
  /** Layers of the file that the model has no use for (e.g. an ImageNet classifier). */
  unusedFileLayers: string[];
}

interface WeightsManifestGroup { paths: string[]; weights: tf.io.WeightsManifestEntry[] }

/**
 * Set the weights of `model` from the tfjs model at `path` (a model.json, or a folder holding
 * one), matched by layer and weight name. Every non-head layer of the model must be found with
 * the right shapes, otherwise a ModelFormatError lists the mismatched layers (nothing is set
 * then). Head layers missing from the file, or shaped for another head, keep their fresh weights.
 */
export async function loadPretrained(model: tf.LayersModel, path: string): Promise<PretrainedReport> {
  const file = await resolveModelJson(path);
  const where = file;
  const json = await readModelJsonFile(file) as { weightsManifest?: WeightsManifestGroup[] } | null;
  const manifest = json?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths) || !Array.isArray(g?.weights))) {
    throw new ModelFormatError('has no valid "weightsManifest"', { where, hint: 'pass the model.json of a tfjs LayersModel (tfjs model.save or tensorflowjs_converter --input_format keras)' });
  }
  const { specs, data } = await readWeightShards(manifest, dirname(file), where);
  const named = tf.io.decodeWeights(data, specs);
  try {
    return assign(model, named, file);
  } finally {
    tf.dispose(Object.values(named));
  }
}

async function resolveModelJson(path: string): Promise<string> {
  const abs = resolve(path);
  let info;
  try {
    info = await stat(abs);
  } catch {
    throw new ModelFormatError('no such file or folder', { where: abs, hint: 'pass --pretraining none or the path of a tfjs model.json' });
  }
  if (!info.isDirectory()) return abs;
  const inside = join(abs, 'model.json');
  try {
    await stat(inside);
  } catch {
    throw new ModelFormatError('folder has no model.json', { where: abs, hint: 'pass the path of a tfjs model.json' });
  }
  return inside;
}

function assign(model: tf.LayersModel, named: tf.NamedTensorMap, file: string): PretrainedReport {
  const headNames = new Set(Object.values(HEAD_LAYER_NAMES).flat());
  const problems: string[] = [];
  const freshHead: string[] = [];
  const plan: Array<[tf.layers.Layer, tf.Tensor[]]> = [];
  const usedLayers = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values: tf.Tensor[] = [];
    const issues: string[] = [];
    for (const w of layer.weights) {
      const t = named[w.originalName];
      if (!t) issues.push(`${w.originalName} missing`);
      else if (!tf.util.arraysEqual(t.shape, w.shape as number[])) issues.push(`${w.originalName} expects [${w.shape}], file has [${t.shape}]`);
      else values.push(t);
    }
    if (issues.length === 0) { plan.push([layer, values]); usedLayers.add(layer.name); continue; }
    if (headNames.has(layer.name)) { freshHead.push(layer.name); continue; }
    problems.push(`${layer.name} (${issues.join('; ')})`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 8).join(', ') + (problems.length > 8 ? `, and ${problems.length - 8} more` : '');
    throw new ModelFormatError(`${problems.length} layer(s) of ${model.name} do not match the file: ${shown}`, {
      where: file, hint: `the weights must come from the same network (${model.name}); layer names follow keras.applications`,
    });
  }
  let params = 0;
  for (const [layer, values] of plan) {
    layer.setWeights(values);
    params += values.reduce((n, t) => n + t.size, 0);
  }
  const fileLayers = new Set(Object.keys(named).map((k) => k.slice(0, k.lastIndexOf('/'))));
  return {
    file, loadedLayers: plan.length, loadedParams: params, freshHeadLayers: freshHead,
    unusedFileLayers: [...fileLayers].filter((l) => !usedLayers.has(l)),
  };
}
