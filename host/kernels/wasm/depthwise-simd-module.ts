/**
 * WASM SIMD loops for the two depthwise-convolution gradients (channel multiplier 1), generated
 * with wasm-assembler.ts and run directly on the tfjs WASM backend's heap. Both share one loop
 * nest over (image, output row, output column, filter tap) with the channels innermost, four at a
 * time:
 * - filter gradient: dW[tap][c] += x[input pixel of tap][c] * dy[output pixel][c]
 * - input gradient:  dx[input pixel of tap][c] += w[tap][c] * dy[output pixel][c]
 * Taps that fall in the padding are skipped, so any stride, padding and dilation works.
 *
 * @example
 * const simd = depthwiseSimdFor(memory);
 * simd.depthwiseFilterGrad(xPtr, dwPtr, dyPtr, n, h, w, c * 4, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw);
 */
import { FunctionWriter, Op, SimdOp, writeModule } from './wasm-assembler.ts';

/**
 * Both functions take byte pointers into the shared memory and sizes in elements, except
 * `channelBytes` (channels * 4, a multiple of 16). The output must be zeroed by the caller.
 */
export type DepthwiseTapLoop = (
  pixelPtr: number, tapPtr: number, dyPtr: number,
  batch: number, inHeight: number, inWidth: number, channelBytes: number,
  outHeight: number, outWidth: number, filterHeight: number, filterWidth: number,
  strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
  dilationHeight: number, dilationWidth: number,
) => void;

export interface DepthwiseSimd {
  /** pixelPtr = x [N,H,W,C] (read), tapPtr = dW [KH,KW,C] (accumulated). */
  depthwiseFilterGrad: DepthwiseTapLoop;
  /** pixelPtr = dx [N,H,W,C] (accumulated), tapPtr = w [KH,KW,C] (read). */
  depthwiseInputGrad: DepthwiseTapLoop;
}

const PARAMS = ['pixel', 'tap', 'dy', 'N', 'H', 'W', 'Cb', 'OH', 'OW', 'KH', 'KW', 'sH', 'sW', 'padT', 'padL', 'dH', 'dW'];
const LOCALS = ['n', 'oh', 'ow', 'kh', 'kw', 'ih', 'iw', 'pixelRow', 'tapRow', 'dyRow', 'c'];

function tapLoop(accumulateInto: 'tap' | 'pixel'): FunctionWriter {
  const f = new FunctionWriter(PARAMS, LOCALS);
  const target = accumulateInto === 'tap' ? 'tapRow' : 'pixelRow';
  const other = accumulateInto === 'tap' ? 'pixelRow' : 'tapRow';
  const at = (row: string) => f.get(row).get('c').op(Op.i32Add);
  f.get('dy').set('dyRow');
  f.forRange('n', 'N', () => {
    f.forRange('oh', 'OH', () => {
      f.forRange('ow', 'OW', () => {
        f.forRange('kh', 'KH', () => {
          // ih = oh*sH - padT + kh*dH; unsigned compare also rejects negative rows (padding).
          f.get('oh').get('sH').op(Op.i32Mul).get('padT').op(Op.i32Sub).get('kh').get('dH').op(Op.i32Mul, Op.i32Add).tee('ih');
          f.get('H').op(Op.i32LtU).ifThen(() => {
            f.forRange('kw', 'KW', () => {
              f.get('ow').get('sW').op(Op.i32Mul).get('padL').op(Op.i32Sub).get('kw').get('dW').op(Op.i32Mul, Op.i32Add).tee('iw');
              f.get('W').op(Op.i32LtU).ifThen(() => {
                // pixelRow = pixel + ((n*H + ih)*W + iw)*Cb; tapRow = tap + (kh*KW + kw)*Cb
                f.get('n').get('H').op(Op.i32Mul).get('ih').op(Op.i32Add).get('W').op(Op.i32Mul).get('iw').op(Op.i32Add)
                  .get('Cb').op(Op.i32Mul).get('pixel').op(Op.i32Add).set('pixelRow');
                f.get('kh').get('KW').op(Op.i32Mul).get('kw').op(Op.i32Add).get('Cb').op(Op.i32Mul).get('tap').op(Op.i32Add).set('tapRow');
                f.i32(0).set('c');
                f.doWhile('c', 16, 'Cb', () => {
                  at(target);
                  at(target).v128Load();
                  at(other).v128Load();
                  at('dyRow').v128Load();
                  f.simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).v128Store();
                });
              });
            });
          });
        });
        f.get('dyRow').get('Cb').op(Op.i32Add).set('dyRow');
      });
    });
  });
  return f;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, DepthwiseSimd>();

/** The SIMD loops bound to one backend memory (compiled once per process, instantiated once per memory). */
export function depthwiseSimdFor(memory: WebAssembly.Memory): DepthwiseSimd {
  let simd = instances.get(memory);
  if (!simd) {
    compiled ??= new WebAssembly.Module(writeModule([
      { name: 'depthwiseFilterGrad', fn: tapLoop('tap') },
      { name: 'depthwiseInputGrad', fn: tapLoop('pixel') },
    ]));
    const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports;
    simd = {
      depthwiseFilterGrad: exports.depthwiseFilterGrad as DepthwiseTapLoop,
      depthwiseInputGrad: exports.depthwiseInputGrad as DepthwiseTapLoop,
    };
    instances.set(memory, simd);
  }
  return simd;
}
