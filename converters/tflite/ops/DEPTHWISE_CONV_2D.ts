/** IR depthwiseConv2d -> DEPTHWISE_CONV_2D (version 2 for dilation, 3 for per-channel int8). */
import type { DepthwiseConv2dOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, paddingCode, type OpMapper } from './op-mapper.ts';

export const DEPTHWISE_CONV_2D: OpMapper = {
  builtin: 'DEPTHWISE_CONV_2D',
  matches: (op) => op.kind === 'depthwiseConv2d',
  write(op, ctx) {
    const o = op as DepthwiseConv2dOp;
    const options = buildOptions(ctx.b, 'DepthwiseConv2DOptions', {
      padding: paddingCode(o.padding), stride_w: o.strides[1], stride_h: o.strides[0], depth_multiplier: o.multiplier,
      fused_activation_function: activationCode(o.activation), dilation_w_factor: o.dilations[1], dilation_h_factor: o.dilations[0],
    });
    const dilated = o.dilations[0] !== 1 || o.dilations[1] !== 1;
    return ctx.operator(op, 'DEPTHWISE_CONV_2D', ctx.isQuantized(o.inputs[0]) ? 3 : dilated ? 2 : 1, options);
  },
};
