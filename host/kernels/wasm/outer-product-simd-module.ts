/**
 * A WASM SIMD loop for the filter gradient of a 1x1 (or im2col'd) convolution:
 * out[k][co] += sum over rows r of p[r][k] * dy[r][co], reading p [rows, K] and dy [rows, CO]
 * as they lie in memory (no transpose, no packing). Rows go in chunks small enough to stay in
 * cache; within a chunk, blocks of 4 x 8 outputs live in eight SIMD registers. XNNPACK's matrix
 * product needs one operand transposed and packs the other: with K = batch x pixels in the
 * tens of thousands and 16 to 1280 outputs per side, that re-reads both from memory.
 *
 * @example
 * outerProductSimdFor(memory).accumulate(pPtr, dyPtr, outPtr, rows, k, co, chunkRows); // k % 4 == 0, co % 8 == 0
 */
import { FunctionWriter, Op, SimdOp, writeModule } from './wasm-assembler.ts';

/** Byte pointers; rows, K (multiple of 4), CO (multiple of 8) and chunkRows in elements; adds into out [K, CO]. */
export type OuterProductLoop = (pPtr: number, dyPtr: number, outPtr: number, rows: number, K: number, CO: number, chunkRows: number) => void;

const V128_LOAD32_SPLAT = 0x09;
const I32_GT_S = 0x4a;
const SELECT = 0x1b;

function accumulate(): FunctionWriter {
  const acc = Array.from({ length: 8 }, (_, a) => `acc${a}`);
  const f = new FunctionWriter(['p', 'dy', 'out', 'rows', 'K', 'CO', 'CH'],
    ['r0', 'rEnd', 'i', 'j', 'r', 'pRow', 'dyRow', 'outAt', 'Kb', 'COb'], [...acc, 'd0', 'd1', 's']);
  f.get('K').i32(2).op(Op.i32Shl).set('Kb');
  f.get('CO').i32(2).op(Op.i32Shl).set('COb');
  f.i32(0).set('r0');
  f.op(Op.block, 0x40);
  f.get('rows').op(Op.i32Eqz, Op.brIf, 0);
  f.doWhile('r0', 0, 'rows', () => {
    // rEnd = min(r0 + CH, rows)
    f.get('r0').get('CH').op(Op.i32Add).set('rEnd');
    f.get('rows').get('rEnd').get('rEnd').get('rows').op(I32_GT_S, SELECT).set('rEnd');
    f.i32(0).set('i');
    f.doWhile('i', 4, 'K', () => {
      f.i32(0).set('j');
      f.doWhile('j', 8, 'CO', () => {
        // outAt = out + (i * CO + j) * 4; load the 4 x 8 block
        f.get('i').get('CO').op(Op.i32Mul).get('j').op(Op.i32Add).i32(2).op(Op.i32Shl).get('out').op(Op.i32Add).set('outAt');
        for (let a = 0; a < 4; a++) {
          f.get('outAt').v128Load(0).set(acc[2 * a]);
          f.get('outAt').v128Load(16).set(acc[2 * a + 1]);
          if (a < 3) f.get('outAt').get('COb').op(Op.i32Add).set('outAt');
        }
        // pRow = p + (r0 * K + i) * 4; dyRow = dy + (r0 * CO + j) * 4
        f.get('r0').get('K').op(Op.i32Mul).get('i').op(Op.i32Add).i32(2).op(Op.i32Shl).get('p').op(Op.i32Add).set('pRow');
        f.get('r0').get('CO').op(Op.i32Mul).get('j').op(Op.i32Add).i32(2).op(Op.i32Shl).get('dy').op(Op.i32Add).set('dyRow');
        f.get('r0').set('r');
        f.doWhile('r', 1, 'rEnd', () => {
          f.get('dyRow').v128Load(0).set('d0');
          f.get('dyRow').v128Load(16).set('d1');
          for (let a = 0; a < 4; a++) {
            f.get('pRow').simd(V128_LOAD32_SPLAT).op(2, a * 4).set('s');
            f.get(acc[2 * a]).get('s').get('d0').simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(acc[2 * a]);
            f.get(acc[2 * a + 1]).get('s').get('d1').simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(acc[2 * a + 1]);
          }
          f.get('pRow').get('Kb').op(Op.i32Add).set('pRow');
          f.get('dyRow').get('COb').op(Op.i32Add).set('dyRow');
        });
        // store the block back
        f.get('i').get('CO').op(Op.i32Mul).get('j').op(Op.i32Add).i32(2).op(Op.i32Shl).get('out').op(Op.i32Add).set('outAt');
        for (let a = 0; a < 4; a++) {
          f.get('outAt').get(acc[2 * a]).v128Store(0);
          f.get('outAt').get(acc[2 * a + 1]).v128Store(16);
          if (a < 3) f.get('outAt').get('COb').op(Op.i32Add).set('outAt');
        }
      });
    });
    f.get('rEnd').set('r0');
  });
  f.op(Op.end);
  return f;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, { accumulate: OuterProductLoop }>();

/** The loop bound to one backend memory (compiled once per process). */
export function outerProductSimdFor(memory: WebAssembly.Memory): { accumulate: OuterProductLoop } {
  let simd = instances.get(memory);
  if (!simd) {
    compiled ??= new WebAssembly.Module(writeModule([{ name: 'accumulate', fn: accumulate() }]));
    const e = new WebAssembly.Instance(compiled, { env: { memory } }).exports;
    simd = { accumulate: e.accumulate as OuterProductLoop };
    instances.set(memory, simd);
  }
  return simd;
}
