/**
 * Builder and reader of the Buffer table (schema.fbs): constant tensor data and metadata bytes.
 */
import type { Builder } from 'flatbuffers';
import { bufferBytes, F, type FlatReader } from '../tflite-metadata.ts';
import { alignedBytes } from './vectors.ts';

// flatbuffers-js addField* take the field id (schema order), not the vtable byte offset.
const slot = (i: number) => i;

/** A Buffer table; no data (the sentinel, activations) when `data` is empty or absent. */
export function buildBuffer(b: Builder, data?: Uint8Array): number {
  const vec = data && data.length > 0 ? alignedBytes(b, data) : 0;
  b.startObject(3);
  if (vec) b.addFieldOffset(slot(F.buffer.data), vec, 0);
  return b.endObject();
}

/** The bytes of buffer `index` of the model at `model`. */
export function readBuffer(r: FlatReader, model: number, index: number): Uint8Array {
  return bufferBytes(r, model, index);
}
