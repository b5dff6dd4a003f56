/**
 * A WASM SIMD transpose of a float32 matrix on the tfjs WASM heap, 4x4 blocks at a time with
 * lane shuffles. The dense filter gradient transposes its patch or dy matrix before the XNNPACK
 * product, and tfjs's WASM Transpose is slow for tall matrices (measured 4 ms for [73728, 16],
 * 185 ms for [73728, 96] on one core; this is memory speed).
 *
 * @example
 * transposeSimdFor(memory).transpose4(srcPtr, dstPtr, rows, cols); // rows, cols multiples of 4
 */
import { FunctionWriter, Op, writeModule } from './wasm-assembler.ts';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { Transpose } from '@tensorflow/tfjs-core';
import { allocate, backendMemory, heapAddress, runKernel, type BackendWasm } from './wasm-backend-calls.ts';

/** Byte pointers; rows and cols in elements, both multiples of 4; dst [cols, rows]. */
export type TransposeLoop = (srcPtr: number, dstPtr: number, rows: number, cols: number) => void;

const I8X16_SHUFFLE = 0x0d;

/** Float lanes (0-3 first operand, 4-7 second) as the 16 byte indices of i8x16.shuffle. */
function lanes(...l: number[]): number[] {
  return l.flatMap((i) => [i * 4, i * 4 + 1, i * 4 + 2, i * 4 + 3]);
}

function transpose4(): FunctionWriter {
  const f = new FunctionWriter(['src', 'dst', 'R', 'C'], ['rb', 'cb', 'rowBytes', 'colBytes', 'sp', 'dp'], ['r0', 'r1', 'r2', 'r3', 't0', 't1', 't2', 't3']);
  const shuffle = (a: string, b: string, l: number[]) => f.get(a).get(b).op(0xfd, I8X16_SHUFFLE, ...lanes(...l));
  f.get('C').i32(2).op(Op.i32Shl).set('rowBytes'); // a source row
  f.get('R').i32(2).op(Op.i32Shl).set('colBytes'); // a destination row
  f.i32(0).set('rb');
  f.op(Op.block, 0x40);
  f.get('R').op(Op.i32Eqz, Op.brIf, 0);
  f.get('C').op(Op.i32Eqz, Op.brIf, 0);
  f.doWhile('rb', 4, 'R', () => {
    f.i32(0).set('cb');
    f.doWhile('cb', 4, 'C', () => {
      // sp = src + (rb * C + cb) * 4; dp = dst + (cb * R + rb) * 4
      f.get('rb').get('C').op(Op.i32Mul).get('cb').op(Op.i32Add).i32(2).op(Op.i32Shl).get('src').op(Op.i32Add).set('sp');
      f.get('cb').get('R').op(Op.i32Mul).get('rb').op(Op.i32Add).i32(2).op(Op.i32Shl).get('dst').op(Op.i32Add).set('dp');
      f.get('sp').v128Load().set('r0');
      f.get('sp').get('rowBytes').op(Op.i32Add).tee('sp').v128Load().set('r1');
      f.get('sp').get('rowBytes').op(Op.i32Add).tee('sp').v128Load().set('r2');
      f.get('sp').get('rowBytes').op(Op.i32Add).v128Load().set('r3');
      shuffle('r0', 'r1', [0, 4, 1, 5]).set('t0'); // a0 b0 a1 b1
      shuffle('r2', 'r3', [0, 4, 1, 5]).set('t1'); // c0 d0 c1 d1
      shuffle('r0', 'r1', [2, 6, 3, 7]).set('t2'); // a2 b2 a3 b3
      shuffle('r2', 'r3', [2, 6, 3, 7]).set('t3'); // c2 d2 c3 d3
      f.get('dp');
      shuffle('t0', 't1', [0, 1, 4, 5]).v128Store(); // a0 b0 c0 d0
      f.get('dp').get('colBytes').op(Op.i32Add).tee('dp');
      shuffle('t0', 't1', [2, 3, 6, 7]).v128Store();
      f.get('dp').get('colBytes').op(Op.i32Add).tee('dp');
      shuffle('t2', 't3', [0, 1, 4, 5]).v128Store();
      f.get('dp').get('colBytes').op(Op.i32Add);
      shuffle('t2', 't3', [2, 3, 6, 7]).v128Store();
    });
  });
  f.op(Op.end);
  return f;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, { transpose4: TransposeLoop }>();

/** The loop bound to one backend memory (compiled once per process). */
export function transposeSimdFor(memory: WebAssembly.Memory): { transpose4: TransposeLoop } {
  let simd = instances.get(memory);
  if (!simd) {
    compiled ??= new WebAssembly.Module(writeModule([{ name: 'transpose4', fn: transpose4() }]));
    const e = new WebAssembly.Instance(compiled, { env: { memory } }).exports;
    simd = { transpose4: e.transpose4 as TransposeLoop };
    instances.set(memory, simd);
  }
  return simd;
}

/**
 * x [rows, cols] float32 transposed to [cols, rows]: the SIMD loop when both are multiples of 4,
 * tfjs's Transpose kernel otherwise. Returns a new tensor (one backend reference).
 */
export function transpose2d(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const [rows, cols] = x.shape;
  if (x.shape.length !== 2 || x.dtype !== 'float32' || rows % 4 !== 0 || cols % 4 !== 0) {
    return runKernel(backend, Transpose, { x }, { perm: [1, 0] });
  }
  const out = allocate(backend, [cols, rows]);
  if (rows > 0 && cols > 0) transposeSimdFor(backendMemory(backend)).transpose4(heapAddress(backend, x), heapAddress(backend, out), rows, cols);
  return out;
}
