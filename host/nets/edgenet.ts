/**
 * `edgenet`: agekit's own student for a Raspberry Pi CPU (TFLite + XNNPACK), ~26 M
 * multiply-adds at 80x80 (the budget is 50 M). Design choices, each for speed on that target:
 * - 80 px input, total stride 16: a 5x5 final grid keeps facial detail that a 64 px, stride-32
 *   network (mobilenet64 ends at 2x2) throws away, at a quarter of mobilenet96's cost.
 * - Fused-MBConv (one 3x3 convolution in place of expand + depthwise; EfficientNetV2, MobileDets)
 *   in the two high-resolution stages: on CPUs a depthwise convolution over few channels is
 *   memory-bound, a dense 3x3 on 16-32 channels keeps the SIMD units busy; and on the training
 *   side it avoids the slow depthwise backward pass.
 * - MBConv (MobileNetV2 inverted residuals, expansion 4) at 10x10 and 5x5, where the channel
 *   count is high and depthwise separable convolutions are the cheaper choice.
 * - ReLU6 only (XNNPACK fuses it into the convolution, and it keeps int8 ranges tight); no
 *   squeeze-and-excitation and no hard-swish, whose global pooling and extra elementwise ops cost
 *   more latency than their MACs suggest on small CPUs.
 * - Every channel count a multiple of 8, to fill NEON lanes in fp32 and int8 kernels.
 * - Few, wide layers (27 convolutions): per-op overhead dominates small models in tfjs training.
 *
 * @example
 * const model = buildEdgeNet({ inputSize: [80, 80], head: 'dex', name: 'edgenet' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface EdgeNetOptions {
  inputSize: [number, number];
  head: HeadType;
  name: string;
  seed?: number;
}

/** Default input of edgenet, [height, width]. */
export const EDGENET_INPUT: [number, number] = [80, 80];

/** One stage: block type, output channels, expanded channels, repeats, stride of the first block. */
type Stage = [kind: 'fused' | 'mb', out: number, expand: number, repeats: number, stride: number];

const STAGES: Stage[] = [
  ['fused', 24, 64, 1, 2],   // 40 -> 20
  ['fused', 24, 64, 1, 1],   // 20
  ['mb', 48, 96, 1, 2],      // 20 -> 10
  ['mb', 48, 192, 2, 1],     // 10
  ['mb', 96, 192, 1, 2],     // 10 -> 5
  ['mb', 96, 384, 2, 1],     // 5
  ['mb', 128, 384, 1, 1],    // 5
];

const STEM = 16;
const LAST = 640;

/** Build edgenet with an age head. */
export function buildEdgeNet(o: EdgeNetOptions): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = b.convBn(input, { filters: STEM, kernel: 3, stride: 2, name: 'stem_conv', act: 'relu6', actName: 'stem_relu' });
  let id = 0;
  for (const [kind, out, expand, repeats, stride] of STAGES) {
    for (let i = 0; i < repeats; i++) {
      const name = `block${id++}`;
      x = kind === 'fused' ? fusedBlock(b, x, out, expand, i === 0 ? stride : 1, name) : mbBlock(b, x, out, expand, i === 0 ? stride : 1, name);
    }
  }
  x = b.convBn(x, { filters: LAST, kernel: 1, name: 'last_conv', act: 'relu6', actName: 'last_relu' });
  const features = b.globalAvgPool(x, 'avg_pool');
  return tf.model({ inputs: input, outputs: attachHead(b, features, o.head), name: o.name });
}

/** Fused-MBConv: 3x3 conv to `expand` channels (ReLU6), linear 1x1 projection, residual when shapes match. */
function fusedBlock(b: NetBuilder, input: tf.SymbolicTensor, out: number, expand: number, stride: number, name: string): tf.SymbolicTensor {
  let x = b.convBn(input, { filters: expand, kernel: 3, stride, name: `${name}_fused`, act: 'relu6', actName: `${name}_fused_relu` });
  x = b.convBn(x, { filters: out, kernel: 1, name: `${name}_project` });
  return stride === 1 && input.shape[3] === out ? b.add([input, x], `${name}_add`) : x;
}

/** MBConv: 1x1 expand (ReLU6), 3x3 depthwise (ReLU6), linear 1x1 projection, residual when shapes match. */
function mbBlock(b: NetBuilder, input: tf.SymbolicTensor, out: number, expand: number, stride: number, name: string): tf.SymbolicTensor {
  let x = b.convBn(input, { filters: expand, kernel: 1, name: `${name}_expand`, act: 'relu6', actName: `${name}_expand_relu` });
  x = b.depthwiseBn(x, { kernel: 3, stride, name: `${name}_depthwise`, act: 'relu6', actName: `${name}_depthwise_relu` });
  x = b.convBn(x, { filters: out, kernel: 1, name: `${name}_project` });
  return stride === 1 && input.shape[3] === out ? b.add([input, x], `${name}_add`) : x;
}
