/**
 * Builders and readers of the OperatorCode and Operator tables (schema.fbs).
 */
import type { Builder } from 'flatbuffers';
import { F, type FlatReader } from '../tflite-metadata.ts';
import { int32Vector } from './vectors.ts';
import { builtinName } from './enums.ts';

// flatbuffers-js addField* take the field id (schema order), not the vtable byte offset.
const slot = (i: number) => i;
/** Codes at or above this live only in the int32 builtin_code field (schema.fbs). */
const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

export interface OperatorCodeFields { builtin: number; version: number }

export function buildOperatorCode(b: Builder, c: OperatorCodeFields): number {
  b.startObject(4);
  // Readers older than schema 3a look only at the byte field; newer ones take the larger of both.
  b.addFieldInt8(slot(F.operatorCode.deprecatedBuiltinCode), Math.min(c.builtin, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  b.addFieldInt32(slot(F.operatorCode.version), c.version, 1);
  b.addFieldInt32(slot(F.operatorCode.builtinCode), c.builtin, 0);
  return b.endObject();
}

export function readOperatorCode(r: FlatReader, table: number): OperatorCodeFields & { name: string } {
  const builtin = Math.max(r.scalarI8(table, F.operatorCode.deprecatedBuiltinCode, 0), r.scalarI32(table, F.operatorCode.builtinCode, 0));
  return { builtin, version: r.scalarI32(table, F.operatorCode.version, 1), name: builtinName(builtin) };
}

export interface OperatorFields {
  opcodeIndex: number;
  inputs: readonly number[];
  outputs: readonly number[];
  /** BuiltinOptions union tag and the options table (0 for none). */
  optionsType: number;
  options: number;
}

export function buildOperator(b: Builder, op: OperatorFields): number {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  b.startObject(9);
  b.addFieldInt32(slot(F.operator.opcodeIndex), op.opcodeIndex, 0);
  b.addFieldOffset(slot(F.operator.inputs), inputs, 0);
  b.addFieldOffset(slot(F.operator.outputs), outputs, 0);
  if (op.options) {
    b.addFieldInt8(slot(F.operator.builtinOptionsType), op.optionsType, 0);
    b.addFieldOffset(slot(F.operator.builtinOptions), op.options, 0);
  }
  return b.endObject();
}

export function readOperator(r: FlatReader, table: number): { opcodeIndex: number; inputs: number[]; outputs: number[]; optionsType: number; optionsTable: number } {
  return {
    opcodeIndex: r.scalarU32(table, F.operator.opcodeIndex, 0),
    inputs: r.int32s(table, F.operator.inputs, 'operator inputs'),
    outputs: r.int32s(table, F.operator.outputs, 'operator outputs'),
    optionsType: r.scalarU8(table, F.operator.builtinOptionsType, 0),
    optionsTable: r.table(table, F.operator.builtinOptions),
  };
}
