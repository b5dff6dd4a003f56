/** IR avgPool2d -> AVERAGE_POOL_2D (version 2 for int8). */
import type { PoolOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, paddingCode, type OpMapper } from './op-mapper.ts';

export const AVERAGE_POOL_2D: OpMapper = {
  builtin: 'AVERAGE_POOL_2D',
  matches: (op) => op.kind === 'avgPool2d',
  write(op, ctx) {
    const o = op as PoolOp;
    const options = buildOptions(ctx.b, 'Pool2DOptions', {
      padding: paddingCode(o.padding), stride_w: o.strides[1], stride_h: o.strides[0],
      filter_width: o.filter[1], filter_height: o.filter[0], fused_activation_function: activationCode(o.activation),
    });
    return ctx.operator(op, 'AVERAGE_POOL_2D', ctx.isQuantized(o.inputs[0]) ? 2 : 1, options);
  },
};
