/**
 * VGG16 (Simonyan & Zisserman 2015, configuration D) as the seed uses it: keras.applications.VGG16
 * with its classic top (flatten, fc1 4096, fc2 4096) and the age head in place of the 1000-way
 * `predictions` layer. Layer names follow Keras, so converted Keras weights load by name.
 * ReLUs are separate layers rather than fused into Conv2D/Dense, so the converter sees only
 * plain ops. fc1's size depends on the input: 7x7x512 inputs at 224 px.
 *
 * @example
 * const model = buildVgg16({ inputSize: [224, 224], head: 'regression', name: 'vgg16' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface Vgg16Options {
  inputSize: [number, number];
  head: HeadType;
  name: string;
  seed?: number;
}

/** 3x3 convolutions per block and their channels. */
const BLOCKS: ReadonlyArray<[number, number]> = [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]];

/** Build VGG16 (13 convolutions, fc1, fc2) with an age head. */
export function buildVgg16(o: Vgg16Options): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = input;
  BLOCKS.forEach(([convs, filters], i) => {
    for (let j = 1; j <= convs; j++) {
      const name = `block${i + 1}_conv${j}`;
      x = b.act(b.conv(x, { filters, kernel: 3, useBias: true, name }), 'relu', `${name}_relu`);
    }
    x = b.maxPool(x, 2, 2, `block${i + 1}_pool`);
  });
  x = b.flatten(x, 'flatten');
  x = b.act(b.dense(x, 4096, 'fc1'), 'relu', 'fc1_relu');
  x = b.act(b.dense(x, 4096, 'fc2'), 'relu', 'fc2_relu');
  return tf.model({ inputs: input, outputs: attachHead(b, x, o.head), name: o.name });
}
