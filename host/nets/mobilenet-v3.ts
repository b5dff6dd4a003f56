/**
 * MobileNetV3 Small and Large (Howard et al. 2019, width 1.0), the seed's `mobilenetv3small`
 * and `mobilenetv3large`, at 224 px and 112 px. As in the seed (and the paper's classifier),
 * the backbone runs to the 1x1 `Conv_2` layer (1024 / 1280 channels, hard-swish) after global
 * pooling; the age head replaces the ImageNet logits. Layer names follow
 * keras.applications.MobileNetV3 so converted Keras weights load by name.
 * Hard-swish and hard-sigmoid are the two custom layers of hard-activations.ts.
 *
 * @example
 * const model = buildMobileNetV3({ variant: 'small', inputSize: [112, 112], head: 'regression', name: 'mobilenetv3small112' });
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { NetBuilder, makeDivisible, type Act } from './net-builder.ts';
import { attachHead } from './heads.ts';

export interface MobileNetV3Options {
  variant: 'small' | 'large';
  inputSize: [number, number];
  head: HeadType;
  name: string;
  seed?: number;
}

/** One bneck row of the paper's Tables 1 and 2: kernel, expansion channels, output channels, SE, activation, stride. */
type Bneck = [kernel: number, expand: number, out: number, se: boolean, act: Act, stride: number];

const LARGE: Bneck[] = [
  [3, 16, 16, false, 'relu', 1], [3, 64, 24, false, 'relu', 2], [3, 72, 24, false, 'relu', 1],
  [5, 72, 40, true, 'relu', 2], [5, 120, 40, true, 'relu', 1], [5, 120, 40, true, 'relu', 1],
  [3, 240, 80, false, 'hswish', 2], [3, 200, 80, false, 'hswish', 1], [3, 184, 80, false, 'hswish', 1],
  [3, 184, 80, false, 'hswish', 1], [3, 480, 112, true, 'hswish', 1], [3, 672, 112, true, 'hswish', 1],
  [5, 672, 160, true, 'hswish', 2], [5, 960, 160, true, 'hswish', 1], [5, 960, 160, true, 'hswish', 1],
];

const SMALL: Bneck[] = [
  [3, 16, 16, true, 'relu', 2], [3, 72, 24, false, 'relu', 2], [3, 88, 24, false, 'relu', 1],
  [5, 96, 40, true, 'hswish', 2], [5, 240, 40, true, 'hswish', 1], [5, 240, 40, true, 'hswish', 1],
  [5, 120, 48, true, 'hswish', 1], [5, 144, 48, true, 'hswish', 1], [5, 288, 96, true, 'hswish', 2],
  [5, 576, 96, true, 'hswish', 1], [5, 576, 96, true, 'hswish', 1],
];

/** Build MobileNetV3 (to the 1024/1280-channel `Conv_2` features) with an age head. */
export function buildMobileNetV3(o: MobileNetV3Options): tf.LayersModel {
  const b = new NetBuilder(o.seed);
  const input = b.input(o.inputSize[0], o.inputSize[1]);
  let x = b.convBn(input, { filters: 16, kernel: 3, stride: 2, name: 'Conv', bnName: 'Conv/BatchNorm', act: 'hswish', actName: 'Conv/hswish' });
  const table = o.variant === 'large' ? LARGE : SMALL;
  table.forEach((row, id) => { x = bneck(b, x, row, id); });
  const lastConv = (x.shape[3] as number) * 6;
  x = b.convBn(x, { filters: lastConv, kernel: 1, name: 'Conv_1', bnName: 'Conv_1/BatchNorm', act: 'hswish', actName: 'Conv_1/hswish' });
  x = b.globalAvgPool(x, 'global_average_pooling2d');
  x = b.reshape(x, [1, 1, lastConv], 'global_average_pooling2d/reshape');
  x = b.conv(x, { filters: o.variant === 'large' ? 1280 : 1024, kernel: 1, useBias: true, name: 'Conv_2' });
  x = b.act(x, 'hswish', 'Conv_2/hswish');
  return tf.model({ inputs: input, outputs: attachHead(b, x, o.head), name: o.name });
}

/** Expand 1x1 (skipped when the expansion equals the input) -> depthwise -> SE -> linear 1x1, residual when shapes match. */
function bneck(b: NetBuilder, input: tf.SymbolicTensor, [kernel, expand, out, se, act, stride]: Bneck, id: number): tf.SymbolicTensor {
  const prefix = id === 0 ? 'expanded_conv/' : `expanded_conv_${id}/`;
  const inChannels = input.shape[3] as number;
  let x = input;
  if (expand !== inChannels) {
    x = b.convBn(x, { filters: expand, kernel: 1, name: `${prefix}expand`, bnName: `${prefix}expand/BatchNorm`, act, actName: `${prefix}expand/${act}` });
  }
  x = b.depthwiseBn(x, { kernel, stride, name: `${prefix}depthwise`, bnName: `${prefix}depthwise/BatchNorm`, act, actName: `${prefix}depthwise/${act}` });
  if (se) x = b.squeezeExcite(x, makeDivisible(expand / 4), 'hsigmoid', `${prefix}squeeze_excite`);
  x = b.convBn(x, { filters: out, kernel: 1, name: `${prefix}project`, bnName: `${prefix}project/BatchNorm` });
  return stride === 1 && inChannels === out ? b.add([input, x], `${prefix}Add`) : x;
}
