/**
 * The BuiltinOptions tables agekit writes, described as data (field order = schema.fbs order),
 * with one builder and one reader driven by the description, so `inspect` reads back exactly
 * the fields the writer wrote.
 *
 * @example
 * const off = buildOptions(b, 'Conv2DOptions', { padding: Padding.SAME, stride_w: 2, stride_h: 2 });
 */
import type { Builder } from 'flatbuffers';
import type { FlatReader } from '../tflite-metadata.ts';
import { BuiltinOptionsType } from './enums.ts';
import { int32Vector } from './vectors.ts';

type FieldKind = 'i8' | 'i32' | 'f32' | 'bool' | 'i32[]';
interface FieldSpec { name: string; kind: FieldKind; dflt?: number }

const ACT: FieldSpec = { name: 'fused_activation_function', kind: 'i8' };

/** Fields of each options table in schema.fbs order (index = field id). */
export const OPTION_TABLES = {
  Conv2DOptions: [{ name: 'padding', kind: 'i8' }, { name: 'stride_w', kind: 'i32' }, { name: 'stride_h', kind: 'i32' }, ACT,
    { name: 'dilation_w_factor', kind: 'i32', dflt: 1 }, { name: 'dilation_h_factor', kind: 'i32', dflt: 1 }],
  DepthwiseConv2DOptions: [{ name: 'padding', kind: 'i8' }, { name: 'stride_w', kind: 'i32' }, { name: 'stride_h', kind: 'i32' },
    { name: 'depth_multiplier', kind: 'i32' }, ACT, { name: 'dilation_w_factor', kind: 'i32', dflt: 1 }, { name: 'dilation_h_factor', kind: 'i32', dflt: 1 }],
  Pool2DOptions: [{ name: 'padding', kind: 'i8' }, { name: 'stride_w', kind: 'i32' }, { name: 'stride_h', kind: 'i32' },
    { name: 'filter_width', kind: 'i32' }, { name: 'filter_height', kind: 'i32' }, ACT],
  FullyConnectedOptions: [ACT, { name: 'weights_format', kind: 'i8' }, { name: 'keep_num_dims', kind: 'bool' }, { name: 'asymmetric_quantize_inputs', kind: 'bool' }],
  SoftmaxOptions: [{ name: 'beta', kind: 'f32' }],
  ConcatenationOptions: [{ name: 'axis', kind: 'i32' }, ACT],
  AddOptions: [ACT, { name: 'pot_scale_int16', kind: 'bool', dflt: 1 }],
  MulOptions: [ACT],
  SubOptions: [ACT, { name: 'pot_scale_int16', kind: 'bool', dflt: 1 }],
  ReshapeOptions: [{ name: 'new_shape', kind: 'i32[]' }],
  PadOptions: [],
  ReducerOptions: [{ name: 'keep_dims', kind: 'bool' }],
  DequantizeOptions: [],
  QuantizeOptions: [],
  MaximumMinimumOptions: [],
  HardSwishOptions: [],
} as const satisfies Record<string, readonly FieldSpec[]>;

export type OptionsTable = keyof typeof OPTION_TABLES;
export type OptionValues = Record<string, number | boolean | readonly number[]>;

/** Build an options table; fields left out take the schema default. Returns [union tag, offset]. */
export function buildOptions(b: Builder, table: OptionsTable, values: OptionValues = {}): [number, number] {
  const fields: readonly FieldSpec[] = OPTION_TABLES[table];
  for (const key of Object.keys(values)) {
    if (!fields.some((f) => f.name === key)) throw new Error(`${table} has no field ${key}`);
  }
  const vectors = new Map<string, number>();
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'i32[]' && v !== undefined) vectors.set(f.name, int32Vector(b, v as readonly number[]));
  }
  b.startObject(fields.length);
  fields.forEach((f, i) => {
    const v = values[f.name];
    if (v === undefined) return;
    const voffset = i; // flatbuffers-js addField* take the field id
    const dflt = f.dflt ?? 0;
    switch (f.kind) {
      case 'i8': b.addFieldInt8(voffset, v as number, dflt); break;
      case 'bool': b.addFieldInt8(voffset, v ? 1 : 0, dflt); break;
      case 'i32': b.addFieldInt32(voffset, v as number, dflt); break;
      case 'f32': b.addFieldFloat32(voffset, v as number, dflt); break;
      case 'i32[]': b.addFieldOffset(voffset, vectors.get(f.name)!, 0); break;
    }
  });
  return [BuiltinOptionsType[table], b.endObject()];
}

/** Read an options table back by its union tag; unknown tags give `{}` with the tag. */
export function readOptions(r: FlatReader, tag: number, table: number): { table: string; values: OptionValues } {
  const entry = Object.entries(BuiltinOptionsType).find(([, v]) => v === tag);
  const name = entry?.[0];
  if (!name || !table || !(name in OPTION_TABLES)) return { table: name ?? `options#${tag}`, values: {} };
  const fields: readonly FieldSpec[] = OPTION_TABLES[name as OptionsTable];
  const values: OptionValues = {};
  fields.forEach((f, i) => {
    const dflt = f.dflt ?? 0;
    switch (f.kind) {
      case 'i8': values[f.name] = r.scalarI8(table, i, dflt); break;
      case 'bool': values[f.name] = r.scalarU8(table, i, dflt) !== 0; break;
      case 'i32': values[f.name] = r.scalarI32(table, i, dflt); break;
      case 'f32': values[f.name] = r.scalarF32(table, i, dflt); break;
      case 'i32[]': values[f.name] = r.int32s(table, i, f.name); break;
    }
  });
  return { table: name, values };
}
