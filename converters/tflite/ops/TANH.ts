/** IR tanh -> TANH (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const TANH: OpMapper = {
  builtin: 'TANH',
  matches: (op) => op.kind === 'tanh',
  write: (op, ctx) => ctx.operator(op, 'TANH', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
