/** IR dequantize -> DEQUANTIZE (version 3 for float16 weights, 2 for int8, 1 for uint8). */
import type { OpMapper } from './op-mapper.ts';

export const DEQUANTIZE: OpMapper = {
  builtin: 'DEQUANTIZE',
  matches: (op) => op.kind === 'dequantize',
  write: (op, ctx) => {
    const dtype = ctx.graph.tensors[op.inputs[0]].dtype;
    return ctx.operator(op, 'DEQUANTIZE', dtype === 'float16' ? 3 : dtype === 'int8' ? 2 : 1);
  },
};
