/** IR minimum -> MINIMUM (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const MINIMUM: OpMapper = {
  builtin: 'MINIMUM',
  matches: (op) => op.kind === 'minimum',
  write: (op, ctx) => ctx.operator(op, 'MINIMUM', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
