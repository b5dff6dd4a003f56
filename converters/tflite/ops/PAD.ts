/** IR pad -> PAD (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const PAD: OpMapper = {
  builtin: 'PAD',
  matches: (op) => op.kind === 'pad',
  write: (op, ctx) => ctx.operator(op, 'PAD', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
