/** IR quantize -> QUANTIZE (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const QUANTIZE: OpMapper = {
  builtin: 'QUANTIZE',
  matches: (op) => op.kind === 'quantize',
  write: (op, ctx) => ctx.operator(op, 'QUANTIZE', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
