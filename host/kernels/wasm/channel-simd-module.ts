/**
 * WASM SIMD loops for the element-wise work of batch normalization and clipped activations in
 * training, run in place on the tfjs WASM heap. Each replaces a chain of tfjs kernels (one full
 * pass over an activation each) by one pass:
 * - maskGe/maskGt: dx = dy where lo <= x (or lo < x) and x <= hi, else 0 (ReLU, ReLU6 and
 *   ClipByValue gradients: tfjs runs GreaterEqual, LessEqual, LogicalAnd, ZerosLike, Select);
 *   maskGt (ReLU, ReLU6) multiplies like tfjs, so NaN in x, or NaN/Inf dy, gives NaN;
 * - scaleShiftRows: y[r][c] = x[r][c] * a[c] + b[c] (batch norm forward, and its input gradient);
 * - normGradSums: sumDy[c] += dy[r][c]; sumDyXm[c] += dy[r][c] * (x[r][c] - mean[c]) (the two
 *   reductions of the batch-norm gradient, in one read of dy and x);
 * - scaledProduct: out = a * b * k (the Square gradient dy * 2x: tfjs runs Cast and two Multiply);
 * - affine2Rows: out[r][c] = dy[r][c] * a[c] + x[r][c] * k[c] + b[c] (the batch-norm input
 *   gradient with the moments' part included).
 *
 * @example
 * const simd = channelSimdFor(memory);
 * simd.maskGe(xPtr, dyPtr, outPtr, n4 * 16, f32Bits(0), f32Bits(6)); // n4 = groups of 4 floats
 */
import { FunctionWriter, Op, SimdOp, writeModule } from './wasm-assembler.ts';

/** Byte pointers; `bytes` a multiple of 16; lo and hi are float32 bit patterns (see {@link f32Bits}). */
export type MaskLoop = (xPtr: number, dyPtr: number, outPtr: number, bytes: number, loBits: number, hiBits: number) => void;
/** Byte pointers; `channelBytes` = channels * 4, a multiple of 16; a, b hold one float per channel. */
export type ScaleShiftLoop = (xPtr: number, aPtr: number, bPtr: number, outPtr: number, rows: number, channelBytes: number) => void;
/** Byte pointers; `channelBytes` a multiple of 16; adds into sumDy and sumDyXm (zeroed by the caller). */
export type NormSumsLoop = (dyPtr: number, xPtr: number, meanPtr: number, sumDyPtr: number, sumDyXmPtr: number, rows: number, channelBytes: number) => void;

/** Byte pointers; `bytes` a multiple of 16; k a float32 bit pattern. */
export type ScaledProductLoop = (aPtr: number, bPtr: number, outPtr: number, bytes: number, kBits: number) => void;

/** Byte pointers; `channelBytes` a multiple of 16; a, k, b hold one float per channel. */
export type Affine2Loop = (dyPtr: number, xPtr: number, aPtr: number, kPtr: number, bPtr: number, outPtr: number, rows: number, channelBytes: number) => void;

export interface ChannelSimd {
  maskGe: MaskLoop;
  maskGt: MaskLoop;
  scaleShiftRows: ScaleShiftLoop;
  normGradSums: NormSumsLoop;
  scaledProduct: ScaledProductLoop;
  affine2Rows: Affine2Loop;
}

// SIMD opcodes beyond the assembler's basic set (WebAssembly fixed-width SIMD numbering).
const F32X4_GT = 0x44;
const F32X4_LE = 0x45;
const F32X4_GE = 0x46;
const V128_AND = 0x4e;
const V128_OR = 0x50;
const F32X4_NE = 0x42;
const F32X4_SUB = 0xe5;
const F32_REINTERPRET_I32 = 0xbe;

const bitsView = new DataView(new ArrayBuffer(4));
/** The float32 bit pattern of v as a signed i32 (how float parameters reach the loops). */
export function f32Bits(v: number): number {
  bitsView.setFloat32(0, v, true);
  return bitsView.getInt32(0, true);
}

/**
 * `multiply` false: dx = mask & dy (tfjs's Select: NaN in x or outside the range gives 0).
 * `multiply` true: dx = dy * m, m = 1 in the range, 0 outside, NaN where x is NaN (tfjs's
 * dy * step(x): NaN in x, or NaN/Inf dy outside the range, gives NaN as in tfjs).
 */
function mask(lowerCompare: number, multiply: boolean): FunctionWriter {
  const f = new FunctionWriter(['x', 'dy', 'out', 'bytes', 'lo', 'hi'], ['i'], ['vlo', 'vhi', 'vx', 'vone']);
  f.get('lo').op(F32_REINTERPRET_I32).simd(SimdOp.f32x4Splat).set('vlo');
  f.get('hi').op(F32_REINTERPRET_I32).simd(SimdOp.f32x4Splat).set('vhi');
  f.i32(f32Bits(1)).op(F32_REINTERPRET_I32).simd(SimdOp.f32x4Splat).set('vone');
  f.i32(0).set('i');
  f.get('bytes').op(Op.i32Eqz, Op.i32Eqz).ifThen(() => {
    f.doWhile('i', 16, 'bytes', () => {
      f.get('out').get('i').op(Op.i32Add);
      f.get('x').get('i').op(Op.i32Add).v128Load().set('vx');
      // (lo <= x or lo < x) & (x <= hi): all-ones lanes keep dy, all-zero lanes give +0.
      f.get('vx').get('vlo').simd(lowerCompare);
      f.get('vx').get('vhi').simd(F32X4_LE);
      f.simd(V128_AND);
      if (multiply) {
        // 1.0 or 0.0, OR all-ones bits (a NaN) where x != x.
        f.get('vone').simd(V128_AND);
        f.get('vx').get('vx').simd(F32X4_NE).simd(V128_OR);
        f.get('dy').get('i').op(Op.i32Add).v128Load();
        f.simd(SimdOp.f32x4Mul).v128Store();
      } else {
        f.get('dy').get('i').op(Op.i32Add).v128Load();
        f.simd(V128_AND).v128Store();
      }
    });
  });
  return f;
}

/**
 * The loop every per-channel row function shares: for each of `rows` rows, c steps through the
 * row's Cb bytes 16 at a time (one f32x4 of channels); each row pointer starts at its parameter
 * and advances by Cb per row. Uses the locals r, c and the row pointers.
 */
function forEachRowBlock(f: FunctionWriter, rowPointers: [param: string, local: string][], body: () => void): void {
  for (const [param, local] of rowPointers) f.get(param).set(local);
  f.forRange('r', 'rows', () => {
    f.i32(0).set('c');
    f.doWhile('c', 16, 'Cb', body);
    for (const [, local] of rowPointers) f.get(local).get('Cb').op(Op.i32Add).set(local);
  });
}

function scaleShiftRows(): FunctionWriter {
  const f = new FunctionWriter(['x', 'a', 'b', 'out', 'rows', 'Cb'], ['r', 'c', 'xRow', 'outRow']);
  forEachRowBlock(f, [['x', 'xRow'], ['out', 'outRow']], () => {
    f.get('outRow').get('c').op(Op.i32Add);
    f.get('xRow').get('c').op(Op.i32Add).v128Load();
    f.get('a').get('c').op(Op.i32Add).v128Load();
    f.simd(SimdOp.f32x4Mul);
    f.get('b').get('c').op(Op.i32Add).v128Load();
    f.simd(SimdOp.f32x4Add).v128Store();
  });
  return f;
}

function normGradSums(): FunctionWriter {
  const f = new FunctionWriter(['dy', 'x', 'mean', 'sDy', 'sDyXm', 'rows', 'Cb'], ['r', 'c', 'dyRow', 'xRow'], ['vdy']);
  forEachRowBlock(f, [['dy', 'dyRow'], ['x', 'xRow']], () => {
    f.get('dyRow').get('c').op(Op.i32Add).v128Load().set('vdy');
    // sDy[c] += dy
    f.get('sDy').get('c').op(Op.i32Add);
    f.get('sDy').get('c').op(Op.i32Add).v128Load();
    f.get('vdy').simd(SimdOp.f32x4Add).v128Store();
    // sDyXm[c] += dy * (x - mean[c])
    f.get('sDyXm').get('c').op(Op.i32Add);
    f.get('sDyXm').get('c').op(Op.i32Add).v128Load();
    f.get('vdy');
    f.get('xRow').get('c').op(Op.i32Add).v128Load();
    f.get('mean').get('c').op(Op.i32Add).v128Load();
    f.simd(F32X4_SUB).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).v128Store();
  });
  return f;
}

function scaledProduct(): FunctionWriter {
  const f = new FunctionWriter(['a', 'b', 'out', 'bytes', 'k'], ['i'], ['vk']);
  f.get('k').op(F32_REINTERPRET_I32).simd(SimdOp.f32x4Splat).set('vk');
  f.i32(0).set('i');
  f.get('bytes').op(Op.i32Eqz, Op.i32Eqz).ifThen(() => {
    f.doWhile('i', 16, 'bytes', () => {
      f.get('out').get('i').op(Op.i32Add);
      f.get('a').get('i').op(Op.i32Add).v128Load();
      f.get('b').get('i').op(Op.i32Add).v128Load();
      f.simd(SimdOp.f32x4Mul);
      f.get('vk').simd(SimdOp.f32x4Mul).v128Store();
    });
  });
  return f;
}

function affine2Rows(): FunctionWriter {
  const f = new FunctionWriter(['dy', 'x', 'a', 'k', 'b', 'out', 'rows', 'Cb'], ['r', 'c', 'dyRow', 'xRow', 'outRow']);
  forEachRowBlock(f, [['dy', 'dyRow'], ['x', 'xRow'], ['out', 'outRow']], () => {
    f.get('outRow').get('c').op(Op.i32Add);
    f.get('dyRow').get('c').op(Op.i32Add).v128Load();
    f.get('a').get('c').op(Op.i32Add).v128Load();
    f.simd(SimdOp.f32x4Mul);
    f.get('xRow').get('c').op(Op.i32Add).v128Load();
    f.get('k').get('c').op(Op.i32Add).v128Load();
    f.simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add);
    f.get('b').get('c').op(Op.i32Add).v128Load();
    f.simd(SimdOp.f32x4Add).v128Store();
  });
  return f;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, ChannelSimd>();

/** The loops bound to one backend memory (compiled once per process, instantiated once per memory). */
export function channelSimdFor(memory: WebAssembly.Memory): ChannelSimd {
  let simd = instances.get(memory);
  if (!simd) {
    compiled ??= new WebAssembly.Module(writeModule([
      { name: 'maskGe', fn: mask(F32X4_GE, false) },
      { name: 'maskGt', fn: mask(F32X4_GT, true) },
      { name: 'scaleShiftRows', fn: scaleShiftRows() },
      { name: 'normGradSums', fn: normGradSums() },
      { name: 'scaledProduct', fn: scaledProduct() },
      { name: 'affine2Rows', fn: affine2Rows() },
    ]));
    const e = new WebAssembly.Instance(compiled, { env: { memory } }).exports;
    simd = {
      maskGe: e.maskGe as MaskLoop,
      maskGt: e.maskGt as MaskLoop,
      scaleShiftRows: e.scaleShiftRows as ScaleShiftLoop,
      normGradSums: e.normGradSums as NormSumsLoop,
      scaledProduct: e.scaledProduct as ScaledProductLoop,
      affine2Rows: e.affine2Rows as Affine2Loop,
    };
    instances.set(memory, simd);
  }
  return simd;
}
