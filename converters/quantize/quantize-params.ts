/**
 * The arithmetic of TFLite int8 quantization (real = scale * (q - zeroPoint)): asymmetric
 * per-tensor parameters for activations, symmetric per-channel weights in [-127, 127], int32
 * biases with scale = input scale * weight scale and zero point 0.
 */
import type { IrQuant } from '../ir/graph.ts';

/** Smallest weight range quantized (an all-zero channel still needs a positive scale). */
const MIN_RANGE = 1e-6;
/**
 * Smallest activation range. A tensor the calibration saw as constant (a ReLU dead on every sample)
 * still needs a scale TFLite accepts: it requires |input scale x weight scale - bias scale| / output
 * scale <= 0.02, and a near-zero output scale turns float32 rounding of the bias scale into a rejected
 * model. 1e-3 still resolves 4e-6 per step.
 */
const MIN_ACTIVATION_RANGE = 1e-3;

/** Asymmetric int8 (or uint8) parameters covering [min, max] (widened to include 0), zero exactly representable. */
export function activationQuant(min: number, max: number, dtype: 'int8' | 'uint8' = 'int8'): IrQuant {
  let lo = Math.min(0, min), hi = Math.max(0, max);
  if (hi - lo < MIN_ACTIVATION_RANGE) hi = lo + MIN_ACTIVATION_RANGE;
  const qmin = dtype === 'int8' ? -128 : 0, qmax = dtype === 'int8' ? 127 : 255;
  const scale = (hi - lo) / (qmax - qmin);
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return { scale: [scale], zeroPoint: [zeroPoint], min: [lo], max: [hi] };
}

/** Quantize values with per-tensor parameters to int8 (or uint8), with saturation. */
export function quantizeValues(values: ArrayLike<number>, q: IrQuant, dtype: 'int8' | 'uint8' = 'int8'): Int8Array | Uint8Array {
  const out = dtype === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  const lo = dtype === 'int8' ? -128 : 0, hi = dtype === 'int8' ? 127 : 255;
  const s = q.scale[0], z = q.zeroPoint[0];
  for (let i = 0; i < values.length; i++) out[i] = Math.min(hi, Math.max(lo, Math.round(values[i] / s + z)));
  return out;
}

/**
 * Symmetric int8 weights, one scale per slice along `axis` (or one for the whole tensor when
 * axis is undefined): q = round(w / scale), scale = max|w| / 127.
 */
export function symmetricWeights(w: Float32Array, shape: readonly number[], axis: number | undefined): { data: Int8Array; quant: IrQuant } {
  const channels = axis === undefined ? 1 : shape[axis];
  const inner = axis === undefined ? 1 : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) { const c = channelOf(i); maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i])); }
  const scale = Array.from(maxAbs, (m) => Math.max(m, MIN_RANGE) / 127);
  const data = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) data[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale[channelOf(i)])));
  const quant: IrQuant = { scale, zeroPoint: scale.map(() => 0) };
  if (axis !== undefined) quant.axis = axis;
  return { data, quant };
}

/** int32 bias for an int8 conv/dense: scale[c] = inputScale * weightScale[c], zero point 0. */
export function int32Bias(bias: Float32Array, inputScale: number, weightScales: readonly number[]): { data: Int32Array; quant: IrQuant } {
  const scale = Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const data = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) data[c] = Math.max(-2147483647, Math.min(2147483647, Math.round(bias[c] / scale[c])));
  const quant: IrQuant = { scale, zeroPoint: scale.map(() => 0) };
  if (bias.length > 1 && weightScales.length > 1) quant.axis = 0;
  return { data, quant };
}

/** IEEE half-precision bits of a float32 (round to nearest even), for float16 weights. */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) { out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); continue; }
    const e = exp - 127 + 15;
    if (e >= 0x1f) { out[i] = sign | 0x7c00; continue; }
    if (e <= 0) {
      if (e < -10) { out[i] = sign; continue; }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1), mid = 1 << (shift - 1);
      if (rem > mid || (rem === mid && (half & 1))) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
    out[i] = sign | half;
  }
  return out;
}
