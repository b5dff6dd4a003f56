/**
 * A WASM SIMD loop that sums the rows of a [rows, channels] float32 matrix on the tfjs WASM heap:
 * out[c] += x[r][c], rows outermost so the data streams through once while the output row stays
 * in L1. It is the reduction over the leading (batch and spatial) axes that batch-norm and bias
 * gradients do on every layer.
 *
 * @example
 * reductionSimdFor(memory).sumRows(xPtr, outPtr, rows, channels * 4); // out zeroed by the caller
 */
import { FunctionWriter, Op, SimdOp, writeModule } from './wasm-assembler.ts';

/** Byte pointers; `channelBytes` = channels * 4, a multiple of 16. Adds into out. */
export type SumRows = (xPtr: number, outPtr: number, rows: number, channelBytes: number) => void;

function sumRows(): FunctionWriter {
  const f = new FunctionWriter(['x', 'out', 'rows', 'Cb'], ['r', 'c', 'row']);
  f.get('x').set('row');
  f.forRange('r', 'rows', () => {
    f.i32(0).set('c');
    f.doWhile('c', 16, 'Cb', () => {
      f.get('out').get('c').op(Op.i32Add);
      f.get('out').get('c').op(Op.i32Add).v128Load();
      f.get('row').get('c').op(Op.i32Add).v128Load();
      f.simd(SimdOp.f32x4Add).v128Store();
    });
    f.get('row').get('Cb').op(Op.i32Add).set('row');
  });
  return f;
}

const instances = new WeakMap<WebAssembly.Memory, { sumRows: SumRows }>();

/** The loop bound to one backend memory. */
export function reductionSimdFor(memory: WebAssembly.Memory): { sumRows: SumRows } {
  let simd = instances.get(memory);
  if (!simd) {
    const module = new WebAssembly.Module(writeModule([{ name: 'sumRows', fn: sumRows() }]));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    simd = { sumRows: exports.sumRows as SumRows };
    instances.set(memory, simd);
  }
  return simd;
}
