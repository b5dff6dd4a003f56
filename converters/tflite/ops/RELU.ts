/** IR relu -> RELU (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const RELU: OpMapper = {
  builtin: 'RELU',
  matches: (op) => op.kind === 'relu',
  write: (op, ctx) => ctx.operator(op, 'RELU', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
