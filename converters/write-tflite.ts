/**
 * The TFLite writer: graph IR -> .tflite bytes. Checks first that every op has a mapper (one
 * ConversionError listing every unmapped op with its layer), then emits tensors in order of
 * first use, one buffer per constant, one Operator per op through the mapper table, and the
 * agekit metadata JSON as Model.metadata entry "agekit", with a SHA-256 of the constant buffers
 * (`weightsSha256`) that every load verifies. Same graph in, same bytes out.
 *
 * @example
 * const bytes = writeTflite(graph, { metadata });
 * await saveTflite('student.tflite', bytes);
 */
import { Builder } from 'flatbuffers';
import { ConversionError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { TFLITE_METADATA_NAME, type ModelMetadata } from '../core/contract/model-metadata.ts';
import type { Graph, IrData, IrDType, IrOp } from './ir/graph.ts';
import { BuiltinOperator, TensorType, type BuiltinOp, type TensorTypeValue } from '../core/tflite/schema/enums.ts';
import { buildBuffer } from '../core/tflite/schema/buffer.ts';
import { buildTensor } from '../core/tflite/schema/tensor.ts';
import { buildOperator, buildOperatorCode } from '../core/tflite/schema/operator.ts';
import { buildSubGraph } from '../core/tflite/schema/subgraph.ts';
import { buildMetadata, finishModel } from '../core/tflite/schema/model.ts';
import { hashTfliteBuffers } from '../core/tflite/tflite-metadata.ts';
import { mapperFor } from './tflite/ops/table.ts';
import type { WriteContext } from './tflite/ops/op-mapper.ts';

export interface WriteTfliteOptions {
  /** Model.description. Default `agekit`. */
  description?: string;
  /** agekit metadata, stored as JSON in Model.metadata entry "agekit". */
  metadata?: ModelMetadata;
  /** Further Model.metadata entries (name -> bytes). */
  extraMetadata?: Record<string, Uint8Array>;
  /** Where to say the model came from in errors. */
  where?: string;
}

const TYPE_OF: Record<IrDType, TensorTypeValue> = {
  float32: TensorType.FLOAT32, float16: TensorType.FLOAT16, int32: TensorType.INT32, int8: TensorType.INT8, uint8: TensorType.UINT8,
};

function dataBytes(d: IrData): Uint8Array {
  // The file is little-endian, like every machine agekit runs on (x86-64, aarch64).
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Throw one ConversionError naming every op that has no TFLite mapping, with its layer. */
export function checkMappable(g: Graph, where = 'model'): void {
  const bad = g.ops.filter((op) => !mapperFor(op));
  if (bad.length === 0) return;
  const list = bad.map((op) => `${op.name} (${op.kind === 'unsupported' ? `${op.source}: ${op.reason}` : `IR op ${op.kind}`})`);
  throw new ConversionError(`${bad.length} op${bad.length > 1 ? 's have' : ' has'} no TFLite mapping: ${list.join('; ')}`, {
    where, hint: 'replace these layers with supported ones (Conv2D, DepthwiseConv2D, Dense, BatchNormalization, ReLU, Add, Multiply, Concatenate, pooling, ZeroPadding2D, Reshape, Softmax) or add a mapper in converters/tflite/ops/',
  });
}

/** Serialize a graph to .tflite bytes (deterministic). */
export function writeTflite(g: Graph, options: WriteTfliteOptions = {}): Uint8Array {
  checkMappable(g, options.where);
  // Start the builder at the final size (weights + 1 MiB of tables): growing a 100 MB buffer by doubling copies it many times.
  const constBytes = g.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0), 0);
  const b = new Builder(constBytes + (1 << 20));

  // Tensor order: graph inputs, then op operands in op order, then outputs (first use wins).
  const fileIndex = new Map<number, number>();
  const order: number[] = [];
  const use = (t: number) => { if (t >= 0 && !fileIndex.has(t)) { fileIndex.set(t, order.length); order.push(t); } };
  g.inputs.forEach(use);
  for (const op of g.ops) { op.inputs.forEach(use); op.outputs.forEach(use); }
  g.outputs.forEach(use);

  // Buffers: 0 is the empty sentinel; one per constant tensor; then metadata.
  const bufferData: Uint8Array[] = [new Uint8Array(0)];
  const bufferOf = new Map<number, number>();
  for (const t of order) {
    const data = g.tensors[t].data;
    if (data) { bufferOf.set(t, bufferData.length); bufferData.push(dataBytes(data)); }
  }
  const metadataEntries: [string, Uint8Array][] = [];
  if (options.metadata) {
    // The checksum covers exactly the buffers written before the metadata ones (see tfliteWeightsSha256).
    const meta: ModelMetadata = { ...options.metadata, weightsSha256: hashTfliteBuffers(bufferData) };
    metadataEntries.push([TFLITE_METADATA_NAME, new TextEncoder().encode(JSON.stringify(meta))]);
  }
  for (const [name, bytes] of Object.entries(options.extraMetadata ?? {})) metadataEntries.push([name, bytes]);
  const metadataBuffer = metadataEntries.map(([, bytes]) => { bufferData.push(bytes); return bufferData.length - 1; });

  // Built first so their bytes sit at the end of the file, after all tables.
  const buffers = bufferData.map((d) => buildBuffer(b, d));

  const tensors = order.map((t) => {
    const tensor = g.tensors[t];
    return buildTensor(b, {
      name: tensor.name, shape: tensor.shape, type: TYPE_OF[tensor.dtype], buffer: bufferOf.get(t) ?? 0,
      quantization: tensor.quant ? { scale: tensor.quant.scale, zeroPoint: tensor.quant.zeroPoint, dimension: tensor.quant.axis, min: tensor.quant.min, max: tensor.quant.max } : undefined,
    });
  });

  const opcodes: { builtin: BuiltinOp; version: number }[] = [];
  const ctx: WriteContext = {
    b, graph: g,
    isQuantized: (t) => t >= 0 && (g.tensors[t].dtype === 'int8' || g.tensors[t].dtype === 'uint8'),
    operator(op: IrOp, builtin: BuiltinOp, version: number, opts?: [number, number], inputs = op.inputs) {
      let code = opcodes.findIndex((c) => c.builtin === builtin);
      if (code < 0) { opcodes.push({ builtin, version }); code = opcodes.length - 1; }
      else opcodes[code].version = Math.max(opcodes[code].version, version);
      return buildOperator(b, {
        opcodeIndex: code, inputs: inputs.map((t) => (t < 0 ? -1 : fileIndex.get(t)!)), outputs: op.outputs.map((t) => fileIndex.get(t)!),
        optionsType: opts?.[0] ?? 0, options: opts?.[1] ?? 0,
      });
    },
  };
  const operators = g.ops.map((op) => mapperFor(op)!.write(op, ctx));
  const subgraph = buildSubGraph(b, {
    name: 'main', tensors, operators,
    inputs: g.inputs.map((t) => fileIndex.get(t)!), outputs: g.outputs.map((t) => fileIndex.get(t)!),
  });
  const operatorCodes = opcodes.map((c) => buildOperatorCode(b, { builtin: BuiltinOperator[c.builtin], version: c.version }));
  const metadata = metadataEntries.map(([name], i) => buildMetadata(b, name, metadataBuffer[i]));
  return finishModel(b, { description: options.description ?? 'agekit', operatorCodes, subgraphs: [subgraph], buffers, metadata });
}

/** Write .tflite bytes atomically (temporary file, fsync, rename). */
export async function saveTflite(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes, { what: 'the .tflite file' });
}
