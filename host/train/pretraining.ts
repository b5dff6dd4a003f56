/**
 * `--pretraining <path>`: start from the weights of another model. Layers whose name and weight
 * shapes match are copied (so a backbone transfers and a different head stays fresh); the rest
 * keep their initialisation. ImageNet weights cannot be downloaded by agekit.
 *
 * @example
 * const r = await applyPretraining(model, 'runs/base/best'); // { copied: 52, skipped: ['dex'] }
 */
import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../../device/errors.ts';
import { loadCheckpoint, loadLayersModelFile } from '../checkpoint/checkpoint.ts';

export interface PretrainingResult {
  /** Layers whose weights were copied. */
  copied: number;
  /** Layers of the model that kept their initial weights (missing or different shapes in the source). */
  skipped: string[];
}

async function loadSource(path: string): Promise<tf.LayersModel> {
  const isFile = await stat(path).then((s) => s.isFile(), () => undefined);
  if (isFile === true && path.endsWith('.json')) return loadLayersModelFile(path);
  return (await loadCheckpoint(path)).model;
}

/** Copy matching layers of the model at `path` (checkpoint, run folder or tfjs model.json) into `model`. */
export async function applyPretraining(model: tf.LayersModel, path: string): Promise<PretrainingResult> {
  if (path === 'imagenet') {
    throw new UsageError('ImageNet weights cannot be downloaded here', { where: '--pretraining', hint: 'pass the path of local tfjs layers weights (a model.json with its weights, or an agekit checkpoint) for this network, or use --pretraining none' });
  }
  const source = await loadSource(path);
  const byName = new Map(source.layers.map((l) => [l.name, l]));
  let copied = 0;
  const skipped: string[] = [];
  for (const layer of model.layers) {
    const src = byName.get(layer.name);
    const mine = layer.getWeights(); // the layer's own variables: not ours to dispose
    if (mine.length === 0) continue;
    const theirs = src?.getWeights() ?? [];
    const same = theirs.length === mine.length && theirs.every((t, i) => t.shape.join() === mine[i].shape.join());
    if (same) { layer.setWeights(theirs); copied++; } else skipped.push(layer.name);
  }
  source.dispose();
  if (copied === 0) {
    throw new UsageError('no layer of the pretrained model matches this network (names and shapes)', { where: path, hint: 'pretrain from weights of the same network' });
  }
  return { copied, skipped };
}
