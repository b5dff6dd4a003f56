/**
 * The op-mapper contract: one mapper per TFLite builtin, each in its own file named after the
 * builtin, all listed in `table.ts`. A mapper says which IR ops it writes and writes one
 * Operator table for one of them through the WriteContext.
 *
 * @example
 * export const RELU6: OpMapper = { builtin: 'RELU6', matches: (op) => op.kind === 'relu6', write: (op, ctx) => ctx.operator(op, 'RELU6', 1) };
 */
import type { Builder } from 'flatbuffers';
import type { Activation, Graph, IrOp, PaddingMode } from '../../ir/graph.ts';
import { ActivationFunctionType, Padding, type BuiltinOp } from '../../../core/tflite/schema/enums.ts';

export interface WriteContext {
  readonly b: Builder;
  readonly graph: Graph;
  /** True when IR tensor `t` holds int8 or uint8 values (a full-integer op). */
  isQuantized(t: number): boolean;
  /**
   * Build the Operator table for `op` with its IR inputs/outputs (optionally replaced), the
   * builtin and version, and an options table [union tag, offset] (or none).
   */
  operator(op: IrOp, builtin: BuiltinOp, version: number, options?: [number, number], inputs?: number[]): number;
}

export interface OpMapper {
  builtin: BuiltinOp;
  matches(op: IrOp): boolean;
  /** Write the Operator table; returns its offset. */
  write(op: IrOp, ctx: WriteContext): number;
}

export function activationCode(a: Activation): number {
  return a === 'relu' ? ActivationFunctionType.RELU : a === 'relu6' ? ActivationFunctionType.RELU6 : ActivationFunctionType.NONE;
}

export function paddingCode(p: PaddingMode): number {
  return p === 'same' ? Padding.SAME : Padding.VALID;
}
