/** IR logistic -> LOGISTIC (no options; version 2 for int8). */
import type { OpMapper } from './op-mapper.ts';

export const LOGISTIC: OpMapper = {
  builtin: 'LOGISTIC',
  matches: (op) => op.kind === 'logistic',
  write: (op, ctx) => ctx.operator(op, 'LOGISTIC', ctx.isQuantized(op.inputs[0]) || ctx.isQuantized(op.outputs[0]) ? 2 : 1),
};
