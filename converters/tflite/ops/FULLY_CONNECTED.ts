/** IR fullyConnected -> FULLY_CONNECTED (version 4 for int8, 5 when keeping the input's rank). */
import type { FullyConnectedOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, type OpMapper } from './op-mapper.ts';

export const FULLY_CONNECTED: OpMapper = {
  builtin: 'FULLY_CONNECTED',
  matches: (op) => op.kind === 'fullyConnected',
  write(op, ctx) {
    const o = op as FullyConnectedOp;
    const options = buildOptions(ctx.b, 'FullyConnectedOptions', { fused_activation_function: activationCode(o.activation), keep_num_dims: o.keepNumDims });
    return ctx.operator(op, 'FULLY_CONNECTED', o.keepNumDims ? 5 : ctx.isQuantized(o.inputs[0]) ? 4 : 1, options);
  },
};
