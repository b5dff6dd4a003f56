/** IR maximum -> MAXIMUM (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const MAXIMUM: OpMapper = {
  builtin: 'MAXIMUM',
  matches: (op) => op.kind === 'maximum',
  write: (op, ctx) => ctx.operator(op, 'MAXIMUM', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
