/**
 * Reading a .tflite file back with the same schema code that wrote it: tensors (shape, type,
 * quantization, bytes), operators (builtin, version, options), io, buffers and metadata. The
 * file is validated first, so a bad file is a ModelFormatError, never garbage.
 *
 * @example
 * const info = readTflite(await readFile('student.tflite'), 'student.tflite');
 * console.log(info.operators.length, info.metadata.agekit);
 */
import { F, FlatReader, readTfliteMetadata, validateTflite, verifyTfliteWeights, type WeightsCheck } from './tflite-metadata.ts';
import type { ModelMetadata } from '../contract/model-metadata.ts';
import { TensorType, TFLITE_FILE_IDENTIFIER } from './schema/enums.ts';
import { readTensor, type QuantizationParams } from './schema/tensor.ts';
import { readOperator, readOperatorCode } from './schema/operator.ts';
import { readOptions, type OptionValues } from './schema/options.ts';
import { readBuffer } from './schema/buffer.ts';

export interface TfliteTensorInfo { index: number; name: string; shape: number[]; type: string; buffer: number; dataBytes: number; quantization?: QuantizationParams }
export interface TfliteOperatorInfo { index: number; builtin: string; version: number; inputs: number[]; outputs: number[]; options: { table: string; values: OptionValues } }
export interface TfliteInfo {
  fileBytes: number;
  version: number;
  description?: string;
  tensors: TfliteTensorInfo[];
  operators: TfliteOperatorInfo[];
  inputs: number[];
  outputs: number[];
  /** Bytes of constant data (weights). */
  weightBytes: number;
  /** Model.metadata entries: name -> byte length. */
  metadataEntries: Record<string, number>;
  /** How the weights were checked against the agekit metadata's checksum (none without agekit metadata). */
  weightsCheck?: WeightsCheck;
  /** The agekit metadata, if present. */
  agekit?: ModelMetadata;
}

const TYPE_NAME = Object.fromEntries(Object.entries(TensorType).map(([k, v]) => [v, k.toLowerCase()])) as Record<number, string>;

export function readTflite(bytes: Uint8Array, where: string): TfliteInfo {
  validateTflite(bytes, where);
  const r = new FlatReader(bytes, where);
  const model = r.root(TFLITE_FILE_IDENTIFIER);
  const codes = r.vector(model, F.model.operatorCodes, 4, 'operator_codes');
  const opcodes = Array.from({ length: codes.length }, (_, i) => readOperatorCode(r, r.tableAt(codes, i)));
  const sg = r.tableAt(r.vector(model, F.model.subgraphs, 4, 'subgraphs'), 0);
  const tv = r.vector(sg, F.subgraph.tensors, 4, 'tensors');
  let weightBytes = 0;
  const tensors = Array.from({ length: tv.length }, (_, i): TfliteTensorInfo => {
    const t = readTensor(r, r.tableAt(tv, i));
    const dataBytes = t.buffer > 0 ? readBuffer(r, model, t.buffer).length : 0;
    weightBytes += dataBytes;
    return { index: i, name: t.name, shape: [...t.shape], type: TYPE_NAME[t.type] ?? `type${t.type}`, buffer: t.buffer, dataBytes, quantization: t.quantization };
  });
  const ov = r.vector(sg, F.subgraph.operators, 4, 'operators');
  const operators = Array.from({ length: ov.length }, (_, i): TfliteOperatorInfo => {
    const op = readOperator(r, r.tableAt(ov, i));
    const code = opcodes[op.opcodeIndex];
    return { index: i, builtin: code.name, version: code.version, inputs: op.inputs, outputs: op.outputs, options: readOptions(r, op.optionsType, op.optionsTable) };
  });
  const mv = r.vector(model, F.model.metadata, 4, 'metadata');
  const metadataEntries: Record<string, number> = {};
  for (let i = 0; i < mv.length; i++) {
    const m = r.tableAt(mv, i);
    metadataEntries[r.string(m, F.metadata.name, 'metadata name') ?? ''] = readBuffer(r, model, r.scalarU32(m, F.metadata.buffer, 0)).length;
  }
  const agekit = readTfliteMetadata(bytes, where);
  return {
    fileBytes: bytes.length,
    version: r.scalarU32(model, F.model.version, 0),
    description: r.string(model, F.model.description, 'description'),
    tensors, operators,
    inputs: r.int32s(sg, F.subgraph.inputs, 'inputs'),
    outputs: r.int32s(sg, F.subgraph.outputs, 'outputs'),
    weightBytes, metadataEntries,
    agekit,
    weightsCheck: agekit ? verifyTfliteWeights(bytes, agekit, where) : undefined,
  };
}
