/** IR mean -> MEAN over constant axes (version 2 for int8). */
import type { MeanOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import type { OpMapper } from './op-mapper.ts';

export const MEAN: OpMapper = {
  builtin: 'MEAN',
  matches: (op) => op.kind === 'mean',
  write(op, ctx) {
    const o = op as MeanOp;
    return ctx.operator(op, 'MEAN', ctx.isQuantized(o.inputs[0]) ? 2 : 1, buildOptions(ctx.b, 'ReducerOptions', { keep_dims: o.keepDims }));
  },
};
