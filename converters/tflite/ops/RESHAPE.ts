/** IR reshape -> RESHAPE (shape both as input tensor and as ReshapeOptions.new_shape). */
import type { ReshapeOp } from '../../ir/graph.ts';
import { buildOptions } from '../../../core/tflite/schema/options.ts';
import type { OpMapper } from './op-mapper.ts';

export const RESHAPE: OpMapper = {
  builtin: 'RESHAPE',
  matches: (op) => op.kind === 'reshape',
  write(op, ctx) {
    const o = op as ReshapeOp;
    return ctx.operator(op, 'RESHAPE', 1, buildOptions(ctx.b, 'ReshapeOptions', { new_shape: o.shape }));
  },
};
