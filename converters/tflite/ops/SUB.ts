/** IR sub -> SUB (element-wise with broadcasting; version 2 for int8). */
import type { BinaryOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import { activationCode, type OpMapper } from './op-mapper.ts';

export const SUB: OpMapper = {
  builtin: 'SUB',
  matches: (op) => op.kind === 'sub',
  write(op, ctx) {
    const o = op as BinaryOp;
    const options = buildOptions(ctx.b, 'SubOptions', { fused_activation_function: activationCode(o.activation) });
    return ctx.operator(op, 'SUB', ctx.isQuantized(o.inputs[0]) ? 2 : 1, options);
  },
};
