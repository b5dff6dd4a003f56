/** IR mul -> MUL (element-wise with broadcasting; version 2 for int8). */
import type { BinaryOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, type OpMapper } from './op-mapper.ts';

export const MUL: OpMapper = {
  builtin: 'MUL',
  matches: (op) => op.kind === 'mul',
  write(op, ctx) {
    const o = op as BinaryOp;
    const options = buildOptions(ctx.b, 'MulOptions', { fused_activation_function: activationCode(o.activation) });
    return ctx.operator(op, 'MUL', ctx.isQuantized(o.inputs[0]) ? 2 : 1, options);
  },
};
