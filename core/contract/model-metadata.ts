/**
 * The model-metadata contract: everything the device needs to run a model, carried inside the
 * checkpoint (`agekit.json`) and inside the .tflite file (a TFLite metadata buffer named
 * {@link TFLITE_METADATA_NAME}). Host, converters and device read and write it only through
 * this module.
 *
 * @example
 * const meta = parseModelMetadata(JSON.parse(text), 'run/best/agekit.json');
 * const ages = readAges(output, batch, meta.readout);
 */
import { ModelFormatError } from '../errors.ts';
import { PREPROCESSINGS, type Preprocessing } from './preprocessing.ts';
import type { CropSpec } from './face-crop.ts';

/** Name of the TFLite metadata entry (Model.metadata[].name) that holds the JSON below. */
export const TFLITE_METADATA_NAME = 'agekit';
export const METADATA_FORMAT = 'agekit-model';
export const METADATA_VERSION = 1;

/** `regression`: one output, the age. `dex`: a softmax over ages 0..bins-1, read as the expected value. */
export type HeadType = 'regression' | 'dex';
export const HEAD_TYPES: readonly HeadType[] = ['regression', 'dex'];

/** How the age is read from the model output. */
export type AgeReadout =
  | { kind: 'scalar'; outputIndex: number }
  /** Expected value of a softmax over `bins` ages starting at `firstAge` with step 1. */
  | { kind: 'expected'; outputIndex: number; bins: number; firstAge: number };

/** A monotone correction of the predicted age, fitted on labelled data (agekit calibrate ages). */
export type AgeCalibration =
  /** Piecewise-linear through (x[i], y[i]), x increasing, y non-decreasing; constant outside. */
  | { kind: 'isotonic'; x: number[]; y: number[]; fittedOn?: string; n?: number }
  /** Subtract bias[k] from predictions in decade k (0-9, 10-19, ..., last decade open-ended). */
  | { kind: 'decade_bias'; bias: number[]; fittedOn?: string; n?: number };

/** Quantization recorded by the converter. */
export interface QuantizationInfo {
  mode: 'none' | 'float16' | 'dynamic' | 'int8';
  io?: 'float' | 'int8' | 'uint8';
  /** Representative set and range method used for full-integer ranges. */
  calibrationSet?: string;
  calibrationMethod?: string;
}

export interface ModelMetadata {
  format: typeof METADATA_FORMAT;
  version: number;
  /** Network name (`mobilenet64`, `faceres`, ...). */
  net: string;
  /** Model input [height, width]; channels are always 3. */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  head: HeadType;
  readout: AgeReadout;
  crop: CropSpec;
  ageCalibration?: AgeCalibration;
  quantization?: QuantizationInfo;
  /** Free-form provenance: dataset, command, metrics. Not needed to run the model. */
  training?: Record<string, unknown>;
  /**
   * .tflite only: SHA-256 (hex) of the file's constant buffers (every buffer but the metadata
   * entries), written by agekit convert and verified on load, so corrupted weights are an error
   * instead of wrong ages. Files converted by agekit 0.1 have none and load unverified.
   */
  weightsSha256?: string;
}

/** Oldest and largest age an expected-value read-out may cover (years). */
export const AGE_RANGE: readonly [number, number] = [0, 150];

/** The read-out that matches a head. */
export function defaultReadout(head: HeadType, bins = 101): AgeReadout {
  return head === 'dex' ? { kind: 'expected', outputIndex: 0, bins, firstAge: 0 } : { kind: 'scalar', outputIndex: 0 };
}

/** Validate parsed JSON as model metadata, naming the file and field on error. */
export function parseModelMetadata(value: unknown, where: string): ModelMetadata {
  const fail = (field: string, got: unknown, hint: string): never => {
    throw new ModelFormatError(`metadata field "${field}" is invalid (${JSON.stringify(got)})`, { where, hint });
  };
  if (typeof value !== 'object' || value === null) fail('(root)', value, 'expected a JSON object written by agekit');
  const m = value as Record<string, unknown>;
  if (m.format !== METADATA_FORMAT) fail('format', m.format, `expected "${METADATA_FORMAT}": is this an agekit model?`);
  if (typeof m.version !== 'number' || m.version > METADATA_VERSION) fail('version', m.version, `this agekit reads versions up to ${METADATA_VERSION}; upgrade agekit`);
  if (typeof m.net !== 'string') fail('net', m.net, 'expected the network name');
  const size = m.inputSize;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0)) fail('inputSize', size, 'expected [height, width]');
  if (!(PREPROCESSINGS as readonly unknown[]).includes(m.preprocessing)) fail('preprocessing', m.preprocessing, `expected one of ${PREPROCESSINGS.join(', ')}`);
  if (!(HEAD_TYPES as readonly unknown[]).includes(m.head)) fail('head', m.head, `expected one of ${HEAD_TYPES.join(', ')}`);
  const r = m.readout as Record<string, unknown> | undefined;
  if (!r || (r.kind !== 'scalar' && r.kind !== 'expected') || typeof r.outputIndex !== 'number') fail('readout', r, 'expected {kind: "scalar"|"expected", outputIndex}');
  if (!Number.isInteger(r!.outputIndex) || (r!.outputIndex as number) < 0) fail('readout.outputIndex', r!.outputIndex, 'expected an output index >= 0');
  if (r!.kind === 'expected') {
    if (typeof r!.bins !== 'number' || typeof r!.firstAge !== 'number') fail('readout', r, 'an expected-value read-out needs bins and firstAge');
    const bins = r!.bins as number, firstAge = r!.firstAge as number;
    if (!Number.isInteger(bins) || bins < 2) fail('readout.bins', bins, 'expected an integer >= 2, the number of age classes the model outputs');
    if (!Number.isFinite(firstAge) || firstAge < AGE_RANGE[0] || firstAge + bins - 1 > AGE_RANGE[1]) {
      fail('readout.firstAge', firstAge, `bins ${bins} from firstAge must cover ages within ${AGE_RANGE[0]}..${AGE_RANGE[1]}`);
    }
  }
  const c = m.crop as Record<string, unknown> | undefined;
  if (!c || typeof c.margin !== 'number' || c.margin < 0 || typeof c.square !== 'boolean') fail('crop', c, 'expected {margin >= 0, square: boolean}');
  if (m.ageCalibration !== undefined) checkCalibration(m.ageCalibration, where);
  if (m.weightsSha256 !== undefined && (typeof m.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.weightsSha256))) fail('weightsSha256', m.weightsSha256, 'expected 64 hex digits: convert the model again');
  return value as ModelMetadata;
}

/** Input and output shapes of a loaded model; `shape[0]` is the batch (any value, -1 or null). */
export interface ModelShapes {
  inputs: readonly (readonly (number | null)[])[];
  /** Omit when the runtime does not know them (a tfjs graph model's unknown dims read as 1). */
  outputs?: readonly (readonly (number | null)[])[];
}

/**
 * Check metadata against the model it describes, so a metadata file that belongs to another
 * model is an error at load instead of wrong ages: the input is [batch, height, width, 3] with
 * the metadata's inputSize, the read-out's output exists, and it has `bins` values per item
 * (expected value) or one (scalar), where the model declares its output shapes (a .tflite always
 * does; a tfjs graph model may not).
 */
export function checkMetadataAgainstModel(meta: ModelMetadata, model: ModelShapes, where: string): void {
  const hint = 'the metadata belongs to another model: convert again, or fix the metadata (agekit inspect shows the model\'s outputs)';
  const [h, w] = meta.inputSize;
  const input = model.inputs[0] ?? [];
  if (input.length !== 4 || input[1] !== h || input[2] !== w || input[3] !== 3) {
    throw new ModelFormatError(`model input ${JSON.stringify(input)} does not match the metadata's inputSize [${h}, ${w}]`, { where, hint });
  }
  const { readout } = meta;
  if (!model.outputs) return;
  const output = model.outputs[readout.outputIndex];
  if (!output) throw new ModelFormatError(`metadata readout.outputIndex ${readout.outputIndex} does not exist (the model has ${model.outputs.length} output${model.outputs.length === 1 ? '' : 's'})`, { where, hint });
  // A graph model may not declare its output shapes (rank 0, or -1/null dims): then only the run can tell.
  const dims = output.slice(1);
  if (output.length < 2 || !dims.every((d) => Number.isInteger(d) && (d as number) > 0)) return;
  const perItem = dims.reduce<number>((a, d) => a * (d as number), 1);
  const want = readout.kind === 'expected' ? readout.bins : 1;
  if (perItem !== want) {
    const what = readout.kind === 'expected' ? `readout.bins ${readout.bins}` : 'a scalar read-out (1 value)';
    throw new ModelFormatError(`metadata asks for ${what} but model output ${readout.outputIndex} has ${perItem} values per item (shape ${JSON.stringify(output)})`, { where, hint });
  }
}

function checkCalibration(value: unknown, where: string): void {
  const cal = value as Record<string, unknown>;
  const bad = (why: string): never => {
    throw new ModelFormatError(`metadata field "ageCalibration" is invalid: ${why}`, { where, hint: 'refit it with agekit calibrate ages' });
  };
  if (cal.kind === 'isotonic') {
    const x = cal.x as number[], y = cal.y as number[];
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.length === 0) bad('x and y must be non-empty arrays of one length');
    for (let i = 1; i < x.length; i++) if (!(x[i] > x[i - 1]) || y[i] < y[i - 1]) bad(`not monotone at knot ${i}`);
  } else if (cal.kind === 'decade_bias') {
    if (!Array.isArray(cal.bias) || !cal.bias.every((b) => typeof b === 'number')) bad('bias must be an array of numbers');
  } else bad(`unknown kind ${JSON.stringify(cal.kind)}`);
}

/**
 * Read the age of each item of a batch from a model output.
 * @param output the read-out's output tensor data, [batch, bins] or [batch, 1], row-major
 */
export function readAges(output: ArrayLike<number>, batch: number, readout: AgeReadout): Float32Array {
  const ages = new Float32Array(batch);
  if (readout.kind === 'scalar') {
    const stride = output.length / batch;
    for (let i = 0; i < batch; i++) ages[i] = output[i * stride];
    return ages;
  }
  const { bins, firstAge } = readout;
  for (let i = 0; i < batch; i++) {
    let sum = 0, mass = 0;
    for (let k = 0; k < bins; k++) {
      const p = output[i * bins + k];
      sum += p * (firstAge + k);
      mass += p;
    }
    // Quantized softmax outputs do not sum exactly to one: renormalize.
    ages[i] = mass > 0 ? sum / mass : 0;
  }
  return ages;
}

/** Apply the metadata's age calibration (if any) to one predicted age. */
export function calibrateAge(age: number, cal: AgeCalibration | undefined): number {
  if (!cal) return age;
  if (cal.kind === 'decade_bias') {
    const k = Math.min(cal.bias.length - 1, Math.max(0, Math.floor(age / 10)));
    return age - cal.bias[k];
  }
  const { x, y } = cal;
  if (age <= x[0]) return y[0];
  const last = x.length - 1;
  if (age >= x[last]) return y[last];
  let lo = 0, hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= age) lo = mid; else hi = mid;
  }
  const t = (age - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}
