/**
 * Builder of the SubGraph table (schema.fbs).
 */
import type { Builder } from 'flatbuffers';
import { F } from '../tflite-metadata.ts';
import { int32Vector, offsetVector } from './vectors.ts';

// flatbuffers-js addField* take the field id (schema order), not the vtable byte offset.
const slot = (i: number) => i;

export interface SubGraphFields { name: string; tensors: number[]; inputs: number[]; outputs: number[]; operators: number[] }

/** `tensors` and `operators` are offsets of already built tables, in index order. */
export function buildSubGraph(b: Builder, sg: SubGraphFields): number {
  const tensors = offsetVector(b, sg.tensors);
  const inputs = int32Vector(b, sg.inputs);
  const outputs = int32Vector(b, sg.outputs);
  const operators = offsetVector(b, sg.operators);
  const name = b.createString(sg.name);
  b.startObject(5);
  b.addFieldOffset(slot(F.subgraph.tensors), tensors, 0);
  b.addFieldOffset(slot(F.subgraph.inputs), inputs, 0);
  b.addFieldOffset(slot(F.subgraph.outputs), outputs, 0);
  b.addFieldOffset(slot(F.subgraph.operators), operators, 0);
  b.addFieldOffset(slot(F.subgraph.name), name, 0);
  return b.endObject();
}
