/** IR conv2d -> CONV_2D (version 3 for per-channel int8). */
import type { Conv2dOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, paddingCode, type OpMapper } from './op-mapper.ts';

export const CONV_2D: OpMapper = {
  builtin: 'CONV_2D',
  matches: (op) => op.kind === 'conv2d',
  write(op, ctx) {
    const o = op as Conv2dOp;
    const options = buildOptions(ctx.b, 'Conv2DOptions', {
      padding: paddingCode(o.padding), stride_w: o.strides[1], stride_h: o.strides[0],
      fused_activation_function: activationCode(o.activation), dilation_w_factor: o.dilations[1], dilation_h_factor: o.dilations[0],
    });
    return ctx.operator(op, 'CONV_2D', ctx.isQuantized(o.inputs[0]) ? 3 : 1, options);
  },
};
