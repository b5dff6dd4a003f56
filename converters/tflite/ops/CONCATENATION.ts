/** IR concat -> CONCATENATION (version 2 for int8). */
import type { ConcatOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, type OpMapper } from './op-mapper.ts';

export const CONCATENATION: OpMapper = {
  builtin: 'CONCATENATION',
  matches: (op) => op.kind === 'concat',
  write(op, ctx) {
    const o = op as ConcatOp;
    const options = buildOptions(ctx.b, 'ConcatenationOptions', { axis: o.axis, fused_activation_function: activationCode(o.activation) });
    return ctx.operator(op, 'CONCATENATION', ctx.isQuantized(o.inputs[0]) ? 2 : 1, options);
  },
};
