/** IR softmax -> SOFTMAX (version 2 for int8). */
import type { SoftmaxOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import type { OpMapper } from './op-mapper.ts';

export const SOFTMAX: OpMapper = {
  builtin: 'SOFTMAX',
  matches: (op) => op.kind === 'softmax',
  write(op, ctx) {
    const o = op as SoftmaxOp;
    return ctx.operator(op, 'SOFTMAX', ctx.isQuantized(o.inputs[0]) ? 2 : 1, buildOptions(ctx.b, 'SoftmaxOptions', { beta: o.beta }));
  },
};
