/**
 * Minimal, bounds-checked reading of a .tflite file on the device: check that the bytes are a
 * whole, self-consistent TFLite flatbuffer BEFORE the native runtime sees them (a truncated or
 * corrupt file can crash it), then read the agekit metadata JSON and the input/output tensors
 * with their quantization. Field positions follow TFLite's schema.fbs (revision 3c).
 *
 * @example
 * const bytes = await readFile('student.tflite');
 * validateTflite(bytes, 'student.tflite');
 * const meta = readTfliteMetadata(bytes, 'student.tflite'); // ModelMetadata | undefined
 */
import { Sha256 } from '../sha256.ts';
import { ModelFormatError } from '../errors.ts';
import { parseModelMetadata, TFLITE_METADATA_NAME, type ModelMetadata } from '../contract/model-metadata.ts';
import type { TensorSpec } from '../runtime/model-runner.ts';

const REBUILD_HINT = 'the file is truncated or corrupt: copy it again or run agekit convert again';

/** Bytes per element of each TensorType value (schema.fbs), 0 where unknown. */
const TYPE_BYTES: Record<number, number> = { 0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 6: 1, 7: 2, 9: 1, 10: 8 };
const TYPE_NAMES: Record<number, TensorSpec['dtype'] | undefined> = { 0: 'float32', 2: 'int32', 3: 'uint8', 9: 'int8' };

/** A vector inside the flatbuffer: absolute position of element 0 and element count. */
export interface FlatVector { start: number; length: number }

/**
 * A flatbuffer reader whose every read is checked against the buffer end, so that a bad file
 * is a ModelFormatError naming the structure, never a read of garbage or a crash.
 */
export class FlatReader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly where: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string): never {
    throw new ModelFormatError(`${what} (file is ${this.bytes.length} bytes)`, { where: this.where, hint: REBUILD_HINT });
  }

  private check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.bytes.length) this.fail(`${what} at byte ${pos} ends past end of file`);
  }
  u8(pos: number, what = 'byte'): number { this.check(pos, 1, what); return this.view.getUint8(pos); }
  i8(pos: number, what = 'byte'): number { this.check(pos, 1, what); return this.view.getInt8(pos); }
  u16(pos: number, what = 'u16'): number { this.check(pos, 2, what); return this.view.getUint16(pos, true); }
  i32(pos: number, what = 'i32'): number { this.check(pos, 4, what); return this.view.getInt32(pos, true); }
  u32(pos: number, what = 'u32'): number { this.check(pos, 4, what); return this.view.getUint32(pos, true); }
  f32(pos: number, what = 'f32'): number { this.check(pos, 4, what); return this.view.getFloat32(pos, true); }
  i64(pos: number, what = 'i64'): number { this.check(pos, 8, what); return Number(this.view.getBigInt64(pos, true)); }
  u64(pos: number, what = 'u64'): number { this.check(pos, 8, what); return Number(this.view.getBigUint64(pos, true)); }

  /** Position of the root table, after checking size and file identifier. */
  root(identifier: string): number {
    if (this.bytes.length < 8) this.fail(`too short for a flatbuffer (${this.bytes.length} bytes)`);
    const id = String.fromCharCode(...this.bytes.subarray(4, 8));
    if (id !== identifier) {
      const head = Array.from(this.bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new ModelFormatError(`not a TFLite file (file identifier ${JSON.stringify(id)}, first bytes ${head}; expected "${identifier}")`, {
        where: this.where, hint: 'pass a .tflite file written by agekit convert or the TensorFlow Lite converter',
      });
    }
    return this.u32(0, 'root offset');
  }

  /** Absolute position of field `index` of the table at `table`, or 0 when absent. */
  field(table: number, index: number): number {
    const vtable = table - this.i32(table, 'table vtable offset');
    const vtableLength = this.u16(vtable, 'vtable');
    const slot = 4 + 2 * index;
    if (slot + 2 > vtableLength) return 0;
    const offset = this.u16(vtable + slot, 'vtable entry');
    return offset === 0 ? 0 : table + offset;
  }

  /** Table referenced by field `index`, or 0. */
  table(table: number, index: number): number {
    const p = this.field(table, index);
    return p === 0 ? 0 : p + this.u32(p, 'table offset');
  }

  /** Vector in field `index` (empty when absent), checked to fit in the file. */
  vector(table: number, index: number, elementBytes: number, what: string): FlatVector {
    const p = this.field(table, index);
    if (p === 0) return { start: 0, length: 0 };
    const at = p + this.u32(p, what);
    const length = this.u32(at, `${what} length`);
    this.check(at + 4, length * elementBytes, what);
    return { start: at + 4, length };
  }

  /** The i-th table of a vector of tables. */
  tableAt(vec: FlatVector, i: number): number {
    const p = vec.start + 4 * i;
    return p + this.u32(p, 'vector element offset');
  }

  string(table: number, index: number, what: string): string | undefined {
    const v = this.vector(table, index, 1, what);
    if (v.start === 0) return undefined;
    return new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length));
  }

  int32s(table: number, index: number, what: string): number[] {
    const v = this.vector(table, index, 4, what);
    return Array.from({ length: v.length }, (_, i) => this.i32(v.start + 4 * i));
  }
  float32s(table: number, index: number, what: string): number[] {
    const v = this.vector(table, index, 4, what);
    return Array.from({ length: v.length }, (_, i) => this.f32(v.start + 4 * i));
  }
  int64s(table: number, index: number, what: string): number[] {
    const v = this.vector(table, index, 8, what);
    return Array.from({ length: v.length }, (_, i) => this.i64(v.start + 8 * i));
  }

  scalarU8(table: number, index: number, dflt: number): number { const p = this.field(table, index); return p ? this.u8(p) : dflt; }
  scalarI8(table: number, index: number, dflt: number): number { const p = this.field(table, index); return p ? this.i8(p) : dflt; }
  scalarI32(table: number, index: number, dflt: number): number { const p = this.field(table, index); return p ? this.i32(p) : dflt; }
  scalarU32(table: number, index: number, dflt: number): number { const p = this.field(table, index); return p ? this.u32(p) : dflt; }
  scalarF32(table: number, index: number, dflt: number): number { const p = this.field(table, index); return p ? this.f32(p) : dflt; }
  scalarU64(table: number, index: number, dflt: number): number { const p = this.field(table, index); return p ? this.u64(p) : dflt; }
}

/** Field indices of the TFLite tables read here (schema.fbs order; unions take two slots). */
export const F = {
  model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, signatureDefs: 7 },
  operatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  subgraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6, shapeSignature: 7, hasRank: 8 },
  quantization: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 },
  operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5 },
  buffer: { data: 0, offset: 1, size: 2 },
  metadata: { name: 0, buffer: 1 },
} as const;

/** Bytes of buffer `index` (empty for the sentinel and for tensors without data). */
export function bufferBytes(r: FlatReader, model: number, index: number): Uint8Array {
  const buffers = r.vector(model, F.model.buffers, 4, 'buffers');
  if (index < 0 || index >= buffers.length) r.fail(`buffer ${index} does not exist (${buffers.length} buffers)`);
  const b = r.tableAt(buffers, index);
  const data = r.vector(b, F.buffer.data, 1, `buffer ${index}`);
  if (data.length > 0) return r.bytes.subarray(data.start, data.start + data.length);
  const offset = r.scalarU64(b, F.buffer.offset, 0);
  const size = r.scalarU64(b, F.buffer.size, 0);
  if (offset > 1) {
    if (offset + size > r.bytes.length) r.fail(`buffer ${index} ends past end of file (offset ${offset}, size ${size})`);
    return r.bytes.subarray(offset, offset + size);
  }
  return new Uint8Array(0);
}

/**
 * Check that `bytes` is a complete, consistent TFLite model: identifier, every table and vector
 * inside the file, tensor and operator indices in range, constant buffers as large as their
 * tensors' shapes say. Throws ModelFormatError naming the first problem.
 */
export function validateTflite(bytes: Uint8Array, where: string): void {
  const r = new FlatReader(bytes, where);
  const model = r.root('TFL3');
  const version = r.scalarU32(model, F.model.version, 0);
  if (version !== 3) r.fail(`schema version ${version} is not 3`);
  const opcodes = r.vector(model, F.model.operatorCodes, 4, 'operator_codes');
  for (let i = 0; i < opcodes.length; i++) r.tableAt(opcodes, i);
  const buffers = r.vector(model, F.model.buffers, 4, 'buffers');
  const bufferSizes: number[] = [];
  for (let i = 0; i < buffers.length; i++) bufferSizes.push(bufferBytes(r, model, i).length);
  const subgraphs = r.vector(model, F.model.subgraphs, 4, 'subgraphs');
  if (subgraphs.length === 0) r.fail('the model has no subgraph');
  for (let s = 0; s < subgraphs.length; s++) {
    const sg = r.tableAt(subgraphs, s);
    const tensors = r.vector(sg, F.subgraph.tensors, 4, `subgraph ${s} tensors`);
    for (let t = 0; t < tensors.length; t++) {
      const tensor = r.tableAt(tensors, t);
      const shape = r.int32s(tensor, F.tensor.shape, `tensor ${t} shape`);
      const type = r.scalarI8(tensor, F.tensor.type, 0);
      const buffer = r.scalarU32(tensor, F.tensor.buffer, 0);
      r.string(tensor, F.tensor.name, `tensor ${t} name`);
      const q = r.table(tensor, F.tensor.quantization);
      if (q) { r.float32s(q, F.quantization.scale, `tensor ${t} scales`); r.int64s(q, F.quantization.zeroPoint, `tensor ${t} zero points`); }
      if (buffer >= buffers.length) r.fail(`tensor ${t} refers to buffer ${buffer} (${buffers.length} buffers)`);
      const size = bufferSizes[buffer];
      const elementBytes = TYPE_BYTES[type] ?? 0;
      if (size > 0 && elementBytes > 0 && shape.every((d) => d >= 0)) {
        const need = shape.reduce((a, b) => a * b, 1) * elementBytes;
        if (size < need) r.fail(`tensor ${t} needs ${need} bytes but buffer ${buffer} holds ${size}`);
      }
    }
    const checkIndices = (list: number[], what: string, allowOptional: boolean) => {
      for (const i of list) if (i >= tensors.length || i < (allowOptional ? -1 : 0)) r.fail(`${what} refers to tensor ${i} (${tensors.length} tensors)`);
    };
    checkIndices(r.int32s(sg, F.subgraph.inputs, 'subgraph inputs'), `subgraph ${s} inputs`, false);
    checkIndices(r.int32s(sg, F.subgraph.outputs, 'subgraph outputs'), `subgraph ${s} outputs`, false);
    const ops = r.vector(sg, F.subgraph.operators, 4, `subgraph ${s} operators`);
    for (let o = 0; o < ops.length; o++) {
      const op = r.tableAt(ops, o);
      const code = r.scalarU32(op, F.operator.opcodeIndex, 0);
      if (code >= opcodes.length) r.fail(`operator ${o} uses operator code ${code} (${opcodes.length} codes)`);
      checkIndices(r.int32s(op, F.operator.inputs, `operator ${o} inputs`), `operator ${o} inputs`, true);
      checkIndices(r.int32s(op, F.operator.outputs, `operator ${o} outputs`), `operator ${o} outputs`, false);
    }
  }
  const metadata = r.vector(model, F.model.metadata, 4, 'metadata');
  for (let i = 0; i < metadata.length; i++) {
    const m = r.tableAt(metadata, i);
    r.string(m, F.metadata.name, 'metadata name');
    const b = r.scalarU32(m, F.metadata.buffer, 0);
    if (b >= buffers.length) r.fail(`metadata ${i} refers to buffer ${b} (${buffers.length} buffers)`);
  }
}

/** Every Model.metadata entry by name, as raw bytes. */
export function readTfliteMetadataEntries(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  const r = new FlatReader(bytes, where);
  const model = r.root('TFL3');
  const out = new Map<string, Uint8Array>();
  const metadata = r.vector(model, F.model.metadata, 4, 'metadata');
  for (let i = 0; i < metadata.length; i++) {
    const m = r.tableAt(metadata, i);
    const name = r.string(m, F.metadata.name, 'metadata name') ?? '';
    out.set(name, bufferBytes(r, model, r.scalarU32(m, F.metadata.buffer, 0)));
  }
  return out;
}

/**
 * SHA-256 (hex) of a list of constant buffers in file order: each buffer's byte length (u32,
 * little-endian) then its bytes. The writer hashes the buffers it is about to write; the reader
 * hashes what it finds, so both sides agree byte for byte.
 */
export function hashTfliteBuffers(buffers: Iterable<Uint8Array>): string {
  // Plain-TypeScript SHA-256 (not node:crypto): this reader also runs in the kiosk's page.
  const h = new Sha256();
  const length = new Uint8Array(4);
  for (const b of buffers) {
    new DataView(length.buffer).setUint32(0, b.length, true);
    h.update(length);
    h.update(b);
  }
  return h.digestHex();
}

/** SHA-256 of every buffer of the file that no Model.metadata entry refers to (see {@link hashTfliteBuffers}). */
export function tfliteWeightsSha256(bytes: Uint8Array, where: string): string {
  const r = new FlatReader(bytes, where);
  const model = r.root('TFL3');
  const skip = new Set<number>();
  const metadata = r.vector(model, F.model.metadata, 4, 'metadata');
  for (let i = 0; i < metadata.length; i++) skip.add(r.scalarU32(r.tableAt(metadata, i), F.metadata.buffer, 0));
  const count = r.vector(model, F.model.buffers, 4, 'buffers').length;
  function* constants(): Generator<Uint8Array> {
    for (let i = 0; i < count; i++) if (!skip.has(i)) yield bufferBytes(r, model, i);
  }
  return hashTfliteBuffers(constants());
}

/**
 * How the weights of a .tflite were checked on load: `verified` (the checksum agekit convert
 * stored matches) or `absent` (a file converted by agekit 0.1, or by another tool: loaded
 * unverified). A mismatch is never a state: it throws.
 */
export type WeightsCheck = 'verified' | 'absent';

/** Verify the weights checksum in `meta` against the file; throws ModelFormatError on a mismatch. */
export function verifyTfliteWeights(bytes: Uint8Array, meta: ModelMetadata, where: string): WeightsCheck {
  if (!meta.weightsSha256) return 'absent';
  const actual = tfliteWeightsSha256(bytes, where);
  if (actual !== meta.weightsSha256) {
    throw new ModelFormatError(`the weights do not match the checksum agekit convert stored (sha256 ${actual.slice(0, 12)}..., expected ${meta.weightsSha256.slice(0, 12)}...)`, {
      where, hint: 'the file was corrupted after conversion (disk, copy, or edit): copy it again or run agekit convert again',
    });
  }
  return 'verified';
}

/**
 * The agekit ModelMetadata stored in the file (entry {@link TFLITE_METADATA_NAME}), validated,
 * with the weights checksum verified when the metadata has one (files converted by agekit
 * 0.1 have none and load unverified: {@link verifyTfliteWeights} says which); undefined for a
 * TFLite file that has none (e.g. a detector converted elsewhere).
 */
export function readTfliteMetadata(bytes: Uint8Array, where: string): ModelMetadata | undefined {
  const entry = readTfliteMetadataEntries(bytes, where).get(TFLITE_METADATA_NAME);
  if (!entry) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(entry));
  } catch (err) {
    throw new ModelFormatError(`metadata "${TFLITE_METADATA_NAME}" is not valid JSON (${(err as Error).message})`, { where, hint: REBUILD_HINT });
  }
  const meta = parseModelMetadata(json, `${where} (metadata "${TFLITE_METADATA_NAME}")`);
  verifyTfliteWeights(bytes, meta, where);
  return meta;
}

/** Inputs and outputs of the main subgraph with shapes, types and (first) quantization parameters. */
export function readTfliteIo(bytes: Uint8Array, where: string): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const r = new FlatReader(bytes, where);
  const model = r.root('TFL3');
  const sg = r.tableAt(r.vector(model, F.model.subgraphs, 4, 'subgraphs'), 0);
  const tensors = r.vector(sg, F.subgraph.tensors, 4, 'tensors');
  const spec = (index: number): TensorSpec => {
    const t = r.tableAt(tensors, index);
    const type = r.scalarI8(t, F.tensor.type, 0);
    const dtype = TYPE_NAMES[type];
    const name = r.string(t, F.tensor.name, 'tensor name') ?? `tensor${index}`;
    if (!dtype) r.fail(`input/output tensor "${name}" has type ${type}, which agekit cannot feed (float32, int32, int8, uint8)`);
    const out: TensorSpec = { name, shape: r.int32s(t, F.tensor.shape, 'shape'), dtype: dtype! };
    const q = r.table(t, F.tensor.quantization);
    if (q) {
      const scale = r.float32s(q, F.quantization.scale, 'scale');
      const zeroPoint = r.int64s(q, F.quantization.zeroPoint, 'zero point');
      if (scale.length > 0) out.quantization = { scale: scale[0], zeroPoint: zeroPoint[0] ?? 0 };
    }
    return out;
  };
  return {
    inputs: r.int32s(sg, F.subgraph.inputs, 'inputs').map(spec),
    outputs: r.int32s(sg, F.subgraph.outputs, 'outputs').map(spec),
  };
}
