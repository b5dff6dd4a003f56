/** IR hardSwish -> HARD_SWISH (version 1 for float and int8: the runtimes agekit targets register only version 1). */
import type { OpMapper } from './op-mapper.ts';

export const HARD_SWISH: OpMapper = {
  builtin: 'HARD_SWISH',
  matches: (op) => op.kind === 'hardSwish',
  write: (op, ctx) => ctx.operator(op, 'HARD_SWISH', 1),
};
