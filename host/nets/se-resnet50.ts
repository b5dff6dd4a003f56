/**
 * `senet50`: a true SE-ResNet-50 (Hu et al. 2018, "Squeeze-and-Excitation Networks"): the
 * ResNet-50 of He et al. 2016 (bottleneck blocks [3, 4, 6, 3], stride in each stage's first 1x1
 * convolution as in the original Caffe models and Keras ResNet50) with a squeeze-and-excitation
 * gate (reduction 16, sigmoid) on every block's residual branch before the addition.
 * The seed's SEResNet() call defaulted to basic (non-bottleneck) blocks, i.e. an SE-ResNet-34;
 * this is the network the name promises.
 *
 * @example
 * const model = buildSeResNet50({ inputSize: [224, 224], head: 'regression', name: 'senet50' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface SeResNet50Options {
  inputSize: [number, number];
  head: HeadType;
  name: string;
  seed?: number;
}

/** SE reduction ratio r of the paper. */
export const SE_REDUCTION = 16;

/** Bottleneck channels, blocks, first-block stride per stage (conv2..conv5). */
const STAGES: ReadonlyArray<[number, number, number]> = [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]];

/** Build SE-ResNet-50 with an age head. */
export function buildSeResNet50(o: SeResNet50Options): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = b.convBn(input, { filters: 64, kernel: 7, stride: 2, name: 'conv1_conv', bnName: 'conv1_bn', act: 'relu', actName: 'conv1_relu' });
  x = b.maxPool(x, 3, 2, 'pool1_pool', 'same');
  STAGES.forEach(([filters, blocks, stride], s) => {
    for (let i = 1; i <= blocks; i++) x = seBottleneck(b, x, filters, i === 1 ? stride : 1, i === 1, `conv${s + 2}_block${i}`);
  });
  const features = b.globalAvgPool(x, 'avg_pool');
  return tf.model({ inputs: input, outputs: attachHead(b, features, o.head), name: o.name });
}

/** 1x1 (stride) -> 3x3 -> 1x1 (4x channels), SE gate, add the shortcut, ReLU. */
function seBottleneck(b: NetBuilder, input: tf.SymbolicTensor, filters: number, stride: number, projection: boolean, name: string): tf.SymbolicTensor {
  const shortcut = projection
    ? b.convBn(input, { filters: 4 * filters, kernel: 1, stride, name: `${name}_0_conv`, bnName: `${name}_0_bn` })
    : input;
  let x = b.convBn(input, { filters, kernel: 1, stride, name: `${name}_1_conv`, bnName: `${name}_1_bn`, act: 'relu', actName: `${name}_1_relu` });
  x = b.convBn(x, { filters, kernel: 3, name: `${name}_2_conv`, bnName: `${name}_2_bn`, act: 'relu', actName: `${name}_2_relu` });
  x = b.convBn(x, { filters: 4 * filters, kernel: 1, name: `${name}_3_conv`, bnName: `${name}_3_bn` });
  x = b.squeezeExcite(x, (4 * filters) / SE_REDUCTION, 'sigmoid', `${name}_se`);
  return b.act(b.add([shortcut, x], `${name}_add`), 'relu', `${name}_out`);
}
