/**
 * `densenet121bc`: DenseNet-BC-121 (Huang et al. 2017) as keras.applications.DenseNet121 builds
 * it: growth rate 32, bottleneck 1x1 convolutions of 4x32 channels, compression 0.5 in the
 * transitions, dense blocks [6, 12, 24, 16], then BN + ReLU, global average pooling and the age
 * head. Layer names follow Keras so converted Keras weights load by name.
 *
 * @example
 * const model = buildDenseNet121({ inputSize: [224, 224], head: 'dex', name: 'densenet121bc' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface DenseNet121Options {
  inputSize: [number, number];
  head: HeadType;
  name: string;
  seed?: number;
}

const BLOCKS = [6, 12, 24, 16];
const GROWTH = 32;
const COMPRESSION = 0.5;

/** Build DenseNet-BC-121 with an age head. */
export function buildDenseNet121(o: DenseNet121Options): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = b.convBn(input, { filters: 64, kernel: 7, stride: 2, name: 'conv1/conv', bnName: 'conv1/bn', act: 'relu', actName: 'conv1/relu' });
  x = b.maxPool(x, 3, 2, 'pool1', 'same');
  BLOCKS.forEach((layers, i) => {
    for (let j = 1; j <= layers; j++) x = denseLayer(b, x, `conv${i + 2}_block${j}`);
    if (i < BLOCKS.length - 1) x = transition(b, x, `pool${i + 2}`);
  });
  x = b.act(b.bn(x, 'bn'), 'relu', 'relu');
  const features = b.globalAvgPool(x, 'avg_pool');
  return tf.model({ inputs: input, outputs: attachHead(b, features, o.head), name: o.name });
}

/** BN-ReLU-1x1(128)-BN-ReLU-3x3(32), concatenated to the input. */
function denseLayer(b: NetBuilder, input: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  let x = b.act(b.bn(input, `${name}_0_bn`), 'relu', `${name}_0_relu`);
  x = b.convBn(x, { filters: 4 * GROWTH, kernel: 1, name: `${name}_1_conv`, bnName: `${name}_1_bn`, act: 'relu', actName: `${name}_1_relu` });
  x = b.conv(x, { filters: GROWTH, kernel: 3, name: `${name}_2_conv` });
  return b.concat([input, x], `${name}_concat`);
}

/** BN-ReLU-1x1 (halve the channels) -> 2x2 average pool, stride 2. */
function transition(b: NetBuilder, input: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  let x = b.act(b.bn(input, `${name}_bn`), 'relu', `${name}_relu`);
  x = b.conv(x, { filters: Math.trunc((input.shape[3] as number) * COMPRESSION), kernel: 1, name: `${name}_conv` });
  return b.avgPool(x, 2, 2, `${name}_pool`);
}
