/**
 * The standard TFLite model metadata (tflite-support's metadata_schema.fbs 1.1.0, file
 * identifier "M001", Model.metadata entry "TFLITE_METADATA"), so generic TFLite tools (the
 * metadata extractor, MediaPipe, Android codegen) see the image input with its normalization
 * and the age output. agekit itself reads its own JSON entry; this is for everyone else.
 *
 * @example
 * const bytes = buildStandardMetadata(meta, { inputs: ['input'], outputs: ['age'] });
 */
import { Builder } from 'flatbuffers';
import { FlatReader } from '../tflite-metadata.ts';
import { channelOrder, preprocessingAffine } from '../../contract/preprocessing.ts';
import type { ModelMetadata } from '../../contract/model-metadata.ts';
import { float32Vector, offsetVector } from './vectors.ts';

/** Name of the Model.metadata entry holding the standard metadata flatbuffer. */
export const STANDARD_METADATA_NAME = 'TFLITE_METADATA';
const IDENTIFIER = 'M001';
const MIN_PARSER_VERSION = '1.0.0';
// Field ids (schema order) of the metadata_schema.fbs tables used; unions take two ids.
const MODEL = { name: 0, description: 1, version: 2, subgraphMetadata: 3, author: 4, license: 5, minParserVersion: 7 };
const SUBGRAPH = { name: 0, description: 1, inputs: 2, outputs: 3 };
const TENSOR = { name: 0, description: 1, content: 3, processUnits: 4, stats: 5 };
const CONTENT = { propertiesType: 0, properties: 1 };
const CONTENT_PROPERTIES = { FeatureProperties: 1, ImageProperties: 2 };
const IMAGE = { colorSpace: 0, defaultSize: 1 };
const PROCESS_UNIT = { optionsType: 0, options: 1 };
const NORMALIZATION_OPTIONS = 1;

function imageTensor(b: Builder, name: string, meta: ModelMetadata): number {
  const { scale, offset } = preprocessingAffine(meta.preprocessing);
  // input = pixel * scale + offset  <=>  (pixel - mean) / std with mean = -offset / scale, std = 1 / scale.
  const mean = float32Vector(b, scale.map((s, c) => -offset[c] / s));
  const std = float32Vector(b, scale.map((s) => 1 / s));
  b.startObject(2); b.addFieldOffset(0, mean, 0); b.addFieldOffset(1, std, 0);
  const norm = b.endObject();
  b.startObject(2); b.addFieldInt8(PROCESS_UNIT.optionsType, NORMALIZATION_OPTIONS, 0); b.addFieldOffset(PROCESS_UNIT.options, norm, 0);
  const unit = b.endObject();
  const units = offsetVector(b, [unit]);
  const [h, w] = meta.inputSize;
  b.startObject(2); b.addFieldInt32(0, w, 0); b.addFieldInt32(1, h, 0);
  const size = b.endObject();
  b.startObject(2); b.addFieldInt8(IMAGE.colorSpace, 1 /* RGB */, 0); b.addFieldOffset(IMAGE.defaultSize, size, 0);
  const image = b.endObject();
  b.startObject(3); b.addFieldInt8(CONTENT.propertiesType, CONTENT_PROPERTIES.ImageProperties, 0); b.addFieldOffset(CONTENT.properties, image, 0);
  const content = b.endObject();
  const n = b.createString(name);
  const order = channelOrder(meta.preprocessing).toUpperCase();
  const d = b.createString(`face crop ${w}x${h}, channels ${order}, square ${meta.crop.square}, margin ${meta.crop.margin} of the box side; values = (pixel - mean) / std per channel`);
  b.startObject(7); b.addFieldOffset(TENSOR.name, n, 0); b.addFieldOffset(TENSOR.description, d, 0);
  b.addFieldOffset(TENSOR.content, content, 0); b.addFieldOffset(TENSOR.processUnits, units, 0);
  return b.endObject();
}

function outputTensor(b: Builder, name: string, index: number, meta: ModelMetadata): number {
  const r = meta.readout;
  const text = index !== r.outputIndex ? 'auxiliary output'
    : r.kind === 'scalar' ? 'age in years'
    : `probabilities of ages ${r.firstAge}..${r.firstAge + r.bins - 1}; the age is their expected value`;
  b.startObject(0);
  const feature = b.endObject();
  b.startObject(3); b.addFieldInt8(CONTENT.propertiesType, CONTENT_PROPERTIES.FeatureProperties, 0); b.addFieldOffset(CONTENT.properties, feature, 0);
  const content = b.endObject();
  const n = b.createString(name), d = b.createString(text);
  b.startObject(7); b.addFieldOffset(TENSOR.name, n, 0); b.addFieldOffset(TENSOR.description, d, 0); b.addFieldOffset(TENSOR.content, content, 0);
  return b.endObject();
}

/** The standard metadata flatbuffer for an agekit model with these input and output tensor names. */
export function buildStandardMetadata(meta: ModelMetadata, io: { inputs: string[]; outputs: string[] }): Uint8Array {
  const b = new Builder(1024);
  const inputs = offsetVector(b, io.inputs.map((n) => imageTensor(b, n, meta)));
  const outputs = offsetVector(b, io.outputs.map((n, i) => outputTensor(b, n, i, meta)));
  const sgName = b.createString('main');
  b.startObject(7); b.addFieldOffset(SUBGRAPH.name, sgName, 0); b.addFieldOffset(SUBGRAPH.inputs, inputs, 0); b.addFieldOffset(SUBGRAPH.outputs, outputs, 0);
  const subgraph = b.endObject();
  const subgraphs = offsetVector(b, [subgraph]);
  const name = b.createString(`agekit ${meta.net}`);
  const description = b.createString(`Age estimation (${meta.head} head) from a face crop; agekit metadata JSON in entry "agekit"`);
  const version = b.createString(String(meta.version));
  const author = b.createString('agekit');
  const parser = b.createString(MIN_PARSER_VERSION);
  b.startObject(8);
  b.addFieldOffset(MODEL.name, name, 0); b.addFieldOffset(MODEL.description, description, 0); b.addFieldOffset(MODEL.version, version, 0);
  b.addFieldOffset(MODEL.subgraphMetadata, subgraphs, 0); b.addFieldOffset(MODEL.author, author, 0); b.addFieldOffset(MODEL.minParserVersion, parser, 0);
  b.finish(b.endObject(), IDENTIFIER);
  return b.asUint8Array().slice();
}

/** Read back the model name and each input's normalization (mean, std), for inspect and tests. */
export function readStandardMetadata(bytes: Uint8Array, where: string): { name?: string; minParserVersion?: string; inputs: { name?: string; mean: number[]; std: number[] }[]; outputs: { name?: string; description?: string }[] } {
  const r = new FlatReader(bytes, where);
  const model = r.root(IDENTIFIER);
  const sgs = r.vector(model, MODEL.subgraphMetadata, 4, 'subgraph_metadata');
  const sg = r.tableAt(sgs, 0);
  const tensors = (field: number) => {
    const v = r.vector(sg, field, 4, 'tensor_metadata');
    return Array.from({ length: v.length }, (_, i) => r.tableAt(v, i));
  };
  return {
    name: r.string(model, MODEL.name, 'name'),
    minParserVersion: r.string(model, MODEL.minParserVersion, 'min_parser_version'),
    inputs: tensors(SUBGRAPH.inputs).map((t) => {
      const units = r.vector(t, TENSOR.processUnits, 4, 'process_units');
      const unit = units.length ? r.tableAt(units, 0) : 0;
      const norm = unit && r.scalarU8(unit, PROCESS_UNIT.optionsType, 0) === NORMALIZATION_OPTIONS ? r.table(unit, PROCESS_UNIT.options) : 0;
      return { name: r.string(t, TENSOR.name, 'name'), mean: norm ? r.float32s(norm, 0, 'mean') : [], std: norm ? r.float32s(norm, 1, 'std') : [] };
    }),
    outputs: tensors(SUBGRAPH.outputs).map((t) => ({ name: r.string(t, TENSOR.name, 'name'), description: r.string(t, TENSOR.description, 'description') })),
  };
}
