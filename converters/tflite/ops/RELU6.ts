/** IR relu6 -> RELU6 (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const RELU6: OpMapper = {
  builtin: 'RELU6',
  matches: (op) => op.kind === 'relu6',
  write: (op, ctx) => ctx.operator(op, 'RELU6', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
