/**
 * Builders and readers of the Tensor and QuantizationParameters tables (schema.fbs).
 */
import type { Builder } from 'flatbuffers';
import { F, type FlatReader } from '../tflite-metadata.ts';
import { float32Vector, int32Vector, int64Vector } from './vectors.ts';
import { TensorType, type TensorTypeValue } from './enums.ts';

// flatbuffers-js addField* take the field id (schema order), not the vtable byte offset.
const slot = (i: number) => i;

/** Quantization of a tensor: real = scale * (q - zeroPoint), per `dimension` when several scales. */
export interface QuantizationParams { scale: number[]; zeroPoint: number[]; dimension?: number; min?: number[]; max?: number[] }

export interface TensorFields {
  name: string;
  shape: readonly number[];
  type: TensorTypeValue;
  /** Index into Model.buffers; 0 (the empty sentinel) for activations. */
  buffer: number;
  quantization?: QuantizationParams;
}

export function buildQuantization(b: Builder, q: QuantizationParams): number {
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  if (min) b.addFieldOffset(slot(F.quantization.min), min, 0);
  if (max) b.addFieldOffset(slot(F.quantization.max), max, 0);
  b.addFieldOffset(slot(F.quantization.scale), scale, 0);
  b.addFieldOffset(slot(F.quantization.zeroPoint), zeroPoint, 0);
  b.addFieldInt32(slot(F.quantization.quantizedDimension), q.dimension ?? 0, 0);
  return b.endObject();
}

export function buildTensor(b: Builder, t: TensorFields): number {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quantization ? buildQuantization(b, t.quantization) : 0;
  b.startObject(9);
  b.addFieldOffset(slot(F.tensor.shape), shape, 0);
  b.addFieldInt8(slot(F.tensor.type), t.type, TensorType.FLOAT32);
  b.addFieldInt32(slot(F.tensor.buffer), t.buffer, 0);
  b.addFieldOffset(slot(F.tensor.name), name, 0);
  if (quant) b.addFieldOffset(slot(F.tensor.quantization), quant, 0);
  return b.endObject();
}

/** Read a Tensor table back (for inspect and tests). */
export function readTensor(r: FlatReader, table: number): TensorFields {
  const q = r.table(table, F.tensor.quantization);
  const out: TensorFields = {
    name: r.string(table, F.tensor.name, 'tensor name') ?? '',
    shape: r.int32s(table, F.tensor.shape, 'tensor shape'),
    type: r.scalarI8(table, F.tensor.type, 0) as TensorTypeValue,
    buffer: r.scalarU32(table, F.tensor.buffer, 0),
  };
  if (q) {
    const scale = r.float32s(q, F.quantization.scale, 'scale');
    if (scale.length > 0) {
      out.quantization = { scale, zeroPoint: r.int64s(q, F.quantization.zeroPoint, 'zero point'), dimension: r.scalarI32(q, F.quantization.quantizedDimension, 0) };
      const min = r.float32s(q, F.quantization.min, 'min'), max = r.float32s(q, F.quantization.max, 'max');
      if (min.length) out.quantization.min = min;
      if (max.length) out.quantization.max = max;
    }
  }
  return out;
}
