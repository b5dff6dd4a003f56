/**
 * MobileNetV2 (Sandler et al. 2018) with a width multiplier, as Keras builds it: the seed's
 * `mobilenet224` (width 1.0) and `mobilenet96` (width 0.75), and the edge student `mobilenet64`
 * (width 0.35). Layer names follow keras.applications.MobileNetV2, so Keras weights converted
 * with tensorflowjs_converter load by name. One difference: strided convolutions use `same`
 * padding instead of Keras's explicit ZeroPadding2D + `valid` (same weights and cost, one op
 * fewer; outputs of converted Keras weights shift by at most one pixel at stride-2 layers).
 *
 * @example
 * const model = buildMobileNetV2({ width: 0.35, inputSize: [64, 64], head: 'dex', name: 'mobilenet64' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder, makeDivisible } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface MobileNetV2Options {
  /** Width multiplier alpha (1.0, 0.75, 0.35, ...). */
  width: number;
  inputSize: [number, number];
  head: HeadType;
  /** Model name (the net name). */
  name: string;
  seed?: number;
}

/** (output channels before width, stride, expansion, repeats) per stage, from the paper's Table 2. */
const STAGES: ReadonlyArray<[number, number, number, number]> = [
  [16, 1, 1, 1], [24, 2, 6, 2], [32, 2, 6, 3], [64, 2, 6, 4], [96, 1, 6, 3], [160, 2, 6, 3], [320, 1, 6, 1],
];

/** Build a MobileNetV2 backbone (up to the global average pool) with an age head. */
export function buildMobileNetV2(o: MobileNetV2Options): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = b.convBn(input, { filters: makeDivisible(32 * o.width), kernel: 3, stride: 2, name: 'Conv1', bnName: 'bn_Conv1', act: 'relu6', actName: 'Conv1_relu' });
  let blockId = 0;
  for (const [filters, stride, expansion, repeats] of STAGES) {
    for (let i = 0; i < repeats; i++) {
      x = invertedResidual(b, x, makeDivisible(Math.trunc(filters * o.width)), i === 0 ? stride : 1, expansion, blockId++);
    }
  }
  // Keras keeps the last 1x1 convolution at 1280 channels for widths <= 1.
  const last = o.width > 1 ? makeDivisible(1280 * o.width) : 1280;
  x = b.convBn(x, { filters: last, kernel: 1, name: 'Conv_1', bnName: 'Conv_1_bn', act: 'relu6', actName: 'out_relu' });
  const features = b.globalAvgPool(x, 'global_average_pooling2d');
  return tf.model({ inputs: input, outputs: attachHead(b, features, o.head), name: o.name });
}

/** Expand 1x1 (ReLU6) -> depthwise 3x3 (ReLU6) -> linear project 1x1, residual when shapes match. */
function invertedResidual(b: NetBuilder, input: tf.SymbolicTensor, outChannels: number, stride: number, expansion: number, id: number): tf.SymbolicTensor {
  const inChannels = input.shape[3] as number;
  const prefix = id === 0 ? 'expanded_conv_' : `block_${id}_`;
  let x = input;
  if (id !== 0) {
    x = b.convBn(x, { filters: expansion * inChannels, kernel: 1, name: `${prefix}expand`, bnName: `${prefix}expand_BN`, act: 'relu6', actName: `${prefix}expand_relu` });
  }
  x = b.depthwiseBn(x, { kernel: 3, stride, name: `${prefix}depthwise`, bnName: `${prefix}depthwise_BN`, act: 'relu6', actName: `${prefix}depthwise_relu` });
  x = b.convBn(x, { filters: outChannels, kernel: 1, name: `${prefix}project`, bnName: `${prefix}project_BN` });
  return inChannels === outChannels && stride === 1 ? b.add([input, x], `${prefix}add`) : x;
}
