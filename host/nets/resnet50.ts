/**
 * The seed's `resnet50`: keras.applications.ResNet50V2 (He et al. 2016, "Identity Mappings in
 * Deep Residual Networks"), the pre-activation ResNet-50: bottleneck blocks [3, 4, 6, 3], BN and
 * ReLU before each convolution, a final BN + ReLU, global average pooling, then the age head.
 * As in Keras, each stage's stride sits in the 3x3 convolution of its *last* block and the
 * identity shortcut of that block is a 1x1 max pool with the same stride. Layer names follow
 * Keras, so converted Keras weights load by name; padding is `same` rather than explicit pads.
 *
 * @example
 * const model = buildResNet50V2({ inputSize: [224, 224], head: 'dex', name: 'resnet50' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface ResNet50V2Options {
  inputSize: [number, number];
  head: HeadType;
  name: string;
  seed?: number;
}

/** Bottleneck channels, blocks, and stride of the last block, per stage (conv2..conv5). */
const STAGES: ReadonlyArray<[number, number, number]> = [[64, 3, 2], [128, 4, 2], [256, 6, 2], [512, 3, 1]];

/** Build ResNet50V2 with an age head. */
export function buildResNet50V2(o: ResNet50V2Options): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = b.conv(input, { filters: 64, kernel: 7, stride: 2, useBias: true, name: 'conv1_conv' });
  x = b.maxPool(x, 3, 2, 'pool1_pool', 'same');
  STAGES.forEach(([filters, blocks, lastStride], s) => {
    for (let i = 1; i <= blocks; i++) {
      x = preactBottleneck(b, x, filters, i === blocks ? lastStride : 1, i === 1, `conv${s + 2}_block${i}`);
    }
  });
  x = b.act(b.bn(x, 'post_bn'), 'relu', 'post_relu');
  const features = b.globalAvgPool(x, 'avg_pool');
  return tf.model({ inputs: input, outputs: attachHead(b, features, o.head), name: o.name });
}

/** BN-ReLU, then 1x1 -> 3x3 (stride) -> 1x1 (4x channels, bias), added to the shortcut. */
function preactBottleneck(b: NetBuilder, input: tf.SymbolicTensor, filters: number, stride: number, projection: boolean, name: string): tf.SymbolicTensor {
  const preact = b.act(b.bn(input, `${name}_preact_bn`), 'relu', `${name}_preact_relu`);
  const shortcut = projection
    ? b.conv(preact, { filters: 4 * filters, kernel: 1, stride, useBias: true, name: `${name}_0_conv` })
    : stride > 1 ? b.maxPool(input, 1, stride, `${name}_0_pool`) : input;
  let x = b.convBn(preact, { filters, kernel: 1, name: `${name}_1_conv`, bnName: `${name}_1_bn`, act: 'relu', actName: `${name}_1_relu` });
  x = b.convBn(x, { filters, kernel: 3, stride, name: `${name}_2_conv`, bnName: `${name}_2_bn`, act: 'relu', actName: `${name}_2_relu` });
  x = b.conv(x, { filters: 4 * filters, kernel: 1, useBias: true, name: `${name}_3_conv` });
  return b.add([shortcut, x], `${name}_out`);
}
