/** IR hardSwish -> HARD_SWISH (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const HARD_SWISH: OpMapper = {
  builtin: 'HARD_SWISH',
  matches: (op) => op.kind === 'hardSwish',
  write: (op, ctx) => ctx.operator(op, 'HARD_SWISH', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
