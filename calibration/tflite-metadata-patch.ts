/**
 * Replace the agekit metadata JSON inside a .tflite file without re-emitting the graph: the new
 * JSON is appended at the end of the file as a fresh byte vector and the metadata Buffer's
 * `data` offset is pointed at it. Flatbuffer offsets are unsigned and point forward, and the end
 * of the file is after every table, so the result is a valid flatbuffer; the old JSON stays as
 * unreferenced bytes (a few KB). Weights, tensors and operators are untouched, byte for byte.
 *
 * @example
 * const patched = replaceTfliteMetadata(bytes, { ...meta, ageCalibration }, 'student.tflite');
 */
import { ModelFormatError } from '../core/errors.ts';
import { F, FlatReader, readTfliteMetadata, validateTflite } from '../core/tflite/tflite-metadata.ts';
import { parseModelMetadata, TFLITE_METADATA_NAME, type ModelMetadata } from '../core/contract/model-metadata.ts';

/** Data of a TFLite buffer starts on this boundary (as the TFLite converter aligns weights). */
const DATA_ALIGN = 16;

/**
 * A copy of `bytes` whose agekit metadata entry holds `meta`. The file must already carry agekit
 * metadata (every file written by agekit convert does); the result is validated and read back.
 */
export function replaceTfliteMetadata(bytes: Uint8Array, meta: ModelMetadata, where: string): Uint8Array {
  validateTflite(bytes, where);
  parseModelMetadata(meta, `${where} (new metadata)`);
  const r = new FlatReader(bytes, where);
  const model = r.root('TFL3');
  const entries = r.vector(model, F.model.metadata, 4, 'metadata');
  let bufferIndex = -1;
  for (let i = 0; i < entries.length; i++) {
    const e = r.tableAt(entries, i);
    if (r.string(e, F.metadata.name, 'metadata name') === TFLITE_METADATA_NAME) bufferIndex = r.scalarU32(e, F.metadata.buffer, 0);
  }
  if (bufferIndex < 0) throw new ModelFormatError(`has no "${TFLITE_METADATA_NAME}" metadata entry to replace`, { where, hint: 'convert the model with agekit convert, which embeds it' });
  const buffers = r.vector(model, F.model.buffers, 4, 'buffers');
  const dataField = r.field(r.tableAt(buffers, bufferIndex), F.buffer.data);
  if (dataField === 0) throw new ModelFormatError(`metadata buffer ${bufferIndex} has no data field`, { where, hint: 'convert the model again with agekit convert' });

  const json = new TextEncoder().encode(JSON.stringify(meta));
  // Length prefix at `at`, data at `at + 4` on a 16-byte boundary; total length a multiple of 4.
  const at = Math.ceil((bytes.length + 4) / DATA_ALIGN) * DATA_ALIGN - 4;
  const total = Math.ceil((at + 4 + json.length) / 4) * 4;
  const out = new Uint8Array(total);
  out.set(bytes);
  const view = new DataView(out.buffer);
  view.setUint32(at, json.length, true);
  out.set(json, at + 4);
  view.setUint32(dataField, at - dataField, true);

  validateTflite(out, where);
  const back = readTfliteMetadata(out, where);
  if (JSON.stringify(back) !== JSON.stringify(parseModelMetadata(JSON.parse(JSON.stringify(meta)), where))) {
    throw new ModelFormatError('metadata did not read back equal after patching', { where, hint: 'this is a bug in agekit; report it with the file' });
  }
  return out;
}
