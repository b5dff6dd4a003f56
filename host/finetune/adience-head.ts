/**
 * The Adience classifier of a trained age network: its age head (regression or dex) is removed
 * and the pooled features feed Dropout(0.5) and an 8-way softmax, one unit per age group; every
 * layer stays trainable.
 *
 * @example
 * const classifier = replaceWithAdienceHead(ageModel, { seed: 1 }); // output [batch, 8]
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../core/errors.ts';
import { HEAD_LAYER_NAMES } from '../nets/heads.ts';
import { ADIENCE_AGE_GROUPS } from '../eval/protocol/adience-accuracy.ts';

export interface AdienceHeadOptions {
  /** Dropout rate before the softmax. Default 0.5 (the seed's). */
  dropout?: number;
  /** Seed of the new layer's initialisation. Default 0. */
  seed?: number;
}

/** Names of the layers the classifier adds. */
export const ADIENCE_HEAD_LAYERS = { dropout: 'adience_dropout', logits: 'adience_logits' } as const;

/**
 * A new model sharing the backbone's layers (and weights) whose output is [batch, 8]
 * probabilities. The features are the input of the age head's first layer (`age_dense` or
 * `age_logits`).
 */
export function replaceWithAdienceHead(model: tf.LayersModel, options: AdienceHeadOptions = {}): tf.LayersModel {
  const first = [HEAD_LAYER_NAMES.regression[0], HEAD_LAYER_NAMES.dex[0]].map((n) => model.layers.find((l) => l.name === n)).find(Boolean);
  if (!first) {
    throw new ModelFormatError(`has no age head layer (${HEAD_LAYER_NAMES.regression[0]} or ${HEAD_LAYER_NAMES.dex[0]})`, { where: model.name, hint: 'fine-tune from a checkpoint written by agekit train' });
  }
  const features = first.input as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: options.dropout ?? 0.5, name: ADIENCE_HEAD_LAYERS.dropout }).apply(features) as tf.SymbolicTensor;
  const probs = tf.layers.dense({
    units: ADIENCE_AGE_GROUPS.length, activation: 'softmax', name: ADIENCE_HEAD_LAYERS.logits,
    kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed ?? 0 }),
  }).apply(dropped) as tf.SymbolicTensor;
  const out = tf.model({ inputs: model.inputs, outputs: probs, name: `${model.name}_adience` });
  for (const l of out.layers) l.trainable = true;
  return out;
}
