/**
 * Flatbuffer vector builders shared by the table builders: int32, float32, int64, offsets and
 * 16-byte aligned raw bytes (Buffer.data is `force_align: 16` in schema.fbs).
 */
import type { Builder, ByteBuffer } from 'flatbuffers';

/** The builder's write cursor: TS-private in flatbuffers' typings, but the same fields its own createByteVector uses. */
interface BuilderInternals { bb: ByteBuffer; space: number }

export function int32Vector(b: Builder, values: ArrayLike<number>): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

export function float32Vector(b: Builder, values: ArrayLike<number>): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

export function int64Vector(b: Builder, values: ArrayLike<number>): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

export function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/** Raw bytes, aligned to `alignment` (16 for tensor data, so int8/float kernels can read in place). */
export function alignedBytes(b: Builder, data: Uint8Array, alignment = 16): number {
  b.startVector(1, data.length, alignment);
  // Copy in one go (as createByteVector does) instead of 10^7 addInt8 calls for a big model.
  const inner = b as unknown as BuilderInternals;
  inner.space -= data.length;
  inner.bb.setPosition(inner.space);
  inner.bb.bytes().set(data, inner.space);
  return b.endVector();
}
