/**
 * Builders of the Model and Metadata tables (schema.fbs), the root of a .tflite file.
 */
import type { Builder } from 'flatbuffers';
import { F } from '../tflite-metadata.ts';
import { offsetVector } from './vectors.ts';
import { TFLITE_FILE_IDENTIFIER, TFLITE_SCHEMA_VERSION } from './enums.ts';

// flatbuffers-js addField* take the field id (schema order), not the vtable byte offset.
const slot = (i: number) => i;

export function buildMetadata(b: Builder, name: string, buffer: number): number {
  const n = b.createString(name);
  b.startObject(2);
  b.addFieldOffset(slot(F.metadata.name), n, 0);
  b.addFieldInt32(slot(F.metadata.buffer), buffer, 0);
  return b.endObject();
}

export interface ModelFields { description: string; operatorCodes: number[]; subgraphs: number[]; buffers: number[]; metadata: number[] }

/** Build the Model table and finish the buffer with the "TFL3" identifier. */
export function finishModel(b: Builder, m: ModelFields): Uint8Array {
  const codes = offsetVector(b, m.operatorCodes);
  const subgraphs = offsetVector(b, m.subgraphs);
  const description = b.createString(m.description);
  const buffers = offsetVector(b, m.buffers);
  const metadata = offsetVector(b, m.metadata);
  b.startObject(8);
  b.addFieldInt32(slot(F.model.version), TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(slot(F.model.operatorCodes), codes, 0);
  b.addFieldOffset(slot(F.model.subgraphs), subgraphs, 0);
  b.addFieldOffset(slot(F.model.description), description, 0);
  b.addFieldOffset(slot(F.model.buffers), buffers, 0);
  b.addFieldOffset(slot(F.model.metadata), metadata, 0);
  const root = b.endObject();
  b.finish(root, TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
