/**
 * The teacher descriptor: a small JSON file that says how to run any tfjs graph/layers model or
 * .tflite model as an age teacher (input size, channel order, normalization, which output holds
 * the age and how to read it, how a face becomes its crop). The built-in teachers are
 * descriptors too, so every teacher goes through one validated shape.
 *
 * @example
 * // my-teacher.json, beside model.json:
 * // { "name": "mine", "kind": "graph", "model": "model.json", "inputSize": [224, 224],
 * //   "normalization": { "mean": [127.5, 127.5, 127.5], "std": [127.5, 127.5, 127.5] },
 * //   "output": "age/Softmax", "readout": { "kind": "expected", "bins": 101, "firstAge": 0 } }
 * const desc = parseTeacherDescriptor(JSON.parse(text), 'my-teacher.json', dirname('my-teacher.json'));
 */
import { isAbsolute, resolve } from 'node:path';
import { ModelFormatError } from '../../core/errors.ts';
import { PREPROCESSINGS, channelOrder, normalizePixels, preprocessingAffine, type ChannelAffine, type Preprocessing } from '../../core/contract/preprocessing.ts';
import type { CropSpec } from '../../core/contract/face-crop.ts';

/** What kind of model file the descriptor points at. */
export type TeacherKind = 'graph' | 'layers' | 'tflite' | 'faceapi-age-gender';
export const TEACHER_KINDS: readonly TeacherKind[] = ['graph', 'layers', 'tflite', 'faceapi-age-gender'];

/**
 * Pixel normalization: a named agekit preprocessing (its own channel order), or a per-channel
 * mean and standard deviation on 0..255 pixels, in the model's channel order:
 * input = (pixel - mean) / std.
 */
export type TeacherNormalization = Preprocessing | { mean: [number, number, number]; std: [number, number, number] };

/** How the age is read from the chosen output. */
export type TeacherReadout =
  | { kind: 'scalar' }
  /** Expected value over `bins` ages starting at `firstAge`, step 1; `softmax` when the output is logits. */
  | { kind: 'expected'; bins: number; firstAge: number; softmax: boolean };

/** A validated teacher descriptor with the model path made absolute. */
export interface TeacherDescriptor {
  /** Name used in reports and relabel files. */
  name: string;
  kind: TeacherKind;
  /** Absolute path of model.json, the .tflite file or the weights manifest. */
  model: string;
  /** Model input [height, width]. */
  inputSize: [number, number];
  /** Channel order the model expects; for a named normalization it is that mode's order. */
  channels: 'rgb' | 'bgr';
  normalization: TeacherNormalization;
  /** Output name (graph models) or index (all kinds). Default 0. */
  output: string | number;
  readout: TeacherReadout;
  /**
   * How a face box (or the whole image when a sample has no box) becomes the teacher's crop.
   * `margin` may be negative here: -0.05 keeps the central 90% (a centre crop).
   */
  crop: CropSpec;
  /** One line for `agekit teachers`. */
  description?: string;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTriple = (v: unknown): v is [number, number, number] => Array.isArray(v) && v.length === 3 && v.every(isNum);

/**
 * Validate parsed JSON as a teacher descriptor; the message names the file and the field.
 * @param baseDir folder that a relative `model` path is resolved against (the descriptor's own)
 */
export function parseTeacherDescriptor(value: unknown, where: string, baseDir: string): TeacherDescriptor {
  const fail = (field: string, got: unknown, hint: string): never => {
    throw new ModelFormatError(`teacher field "${field}" is invalid (${got === undefined ? 'missing' : JSON.stringify(got)})`, { where, hint });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(root)', value, 'expected a JSON object describing the teacher');
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || !/^[\w.-]+$/.test(d.name)) fail('name', d.name, 'expected a name of letters, digits, ".", "_" or "-"');
  const kind = d.kind ?? (typeof d.model === 'string' && d.model.endsWith('.tflite') ? 'tflite' : 'graph');
  if (!(TEACHER_KINDS as readonly unknown[]).includes(kind)) fail('kind', kind, `expected one of ${TEACHER_KINDS.join(', ')}`);
  if (typeof d.model !== 'string' || d.model === '') fail('model', d.model, 'expected the path of model.json, the .tflite file or the weights manifest, relative to this file');
  const size = d.inputSize;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0 && v <= 4096)) fail('inputSize', size, 'expected [height, width] in pixels');

  let normalization: TeacherNormalization;
  let channels: 'rgb' | 'bgr';
  const norm = d.normalization;
  if (typeof norm === 'string') {
    if (!(PREPROCESSINGS as readonly string[]).includes(norm)) fail('normalization', norm, `expected one of ${PREPROCESSINGS.join(', ')} or {"mean": [3 numbers], "std": [3 numbers]}`);
    normalization = norm as Preprocessing;
    channels = channelOrder(normalization);
    if (d.channels !== undefined && d.channels !== channels) fail('channels', d.channels, `normalization "${norm}" implies ${channels}; drop "channels" or use {"mean", "std"}`);
  } else if (typeof norm === 'object' && norm !== null) {
    const { mean, std } = norm as Record<string, unknown>;
    if (!isTriple(mean)) fail('normalization.mean', mean, 'expected 3 numbers (0..255 scale, model channel order)');
    if (!isTriple(std) || !(std as number[]).every((s) => s > 0)) fail('normalization.std', std, 'expected 3 positive numbers (0..255 scale); 255 gives 0..1 inputs');
    normalization = { mean: mean as [number, number, number], std: std as [number, number, number] };
    const ch = d.channels ?? 'rgb';
    if (ch !== 'rgb' && ch !== 'bgr') fail('channels', ch, 'expected "rgb" or "bgr"');
    channels = ch as 'rgb' | 'bgr';
  } else {
    return fail('normalization', norm, `expected one of ${PREPROCESSINGS.join(', ')} or {"mean": [3 numbers], "std": [3 numbers]}`);
  }

  const output = d.output ?? 0;
  if (!(typeof output === 'string' && output !== '') && !(Number.isInteger(output) && (output as number) >= 0)) fail('output', output, 'expected an output name or a 0-based index');
  if (typeof output === 'string' && kind !== 'graph') fail('output', output, `only graph models have named outputs; use an index for kind "${kind}"`);

  const r = d.readout as Record<string, unknown> | undefined;
  let readout: TeacherReadout;
  if (r?.kind === 'scalar') readout = { kind: 'scalar' };
  else if (r?.kind === 'expected') {
    if (!Number.isInteger(r.bins) || (r.bins as number) < 2) fail('readout.bins', r.bins, 'expected the number of age bins (an integer >= 2)');
    if (!isNum(r.firstAge)) fail('readout.firstAge', r.firstAge, 'expected the age of bin 0 (usually 0)');
    if (r.softmax !== undefined && typeof r.softmax !== 'boolean') fail('readout.softmax', r.softmax, 'expected true when the output is logits, false for probabilities');
    readout = { kind: 'expected', bins: r.bins as number, firstAge: r.firstAge as number, softmax: (r.softmax as boolean | undefined) ?? false };
  } else {
    return fail('readout', r, 'expected {"kind": "scalar"} or {"kind": "expected", "bins": N, "firstAge": 0}');
  }

  const c = (d.crop ?? { margin: 0, square: true }) as Record<string, unknown>;
  if (typeof c !== 'object' || !isNum(c.margin) || c.margin <= -0.5 || c.margin > 2) fail('crop.margin', c?.margin, 'expected a number in (-0.5, 2]: the fraction of the box side added per side (negative: a centre crop)');
  if (c.square !== undefined && typeof c.square !== 'boolean') fail('crop.square', c.square, 'expected true or false');
  if (d.description !== undefined && typeof d.description !== 'string') fail('description', d.description, 'expected one line of text');

  const model = d.model as string;
  return {
    name: d.name as string,
    kind: kind as TeacherKind,
    model: isAbsolute(model) ? model : resolve(baseDir, model),
    inputSize: [(size as number[])[0], (size as number[])[1]],
    channels,
    normalization,
    output: output as string | number,
    readout,
    crop: { margin: c.margin as number, square: (c.square as boolean | undefined) ?? true },
    description: d.description as string | undefined,
  };
}

/** The per-channel affine (model channel order) of a teacher normalization: input = pixel * scale + offset. */
export function teacherAffine(norm: TeacherNormalization): ChannelAffine {
  if (typeof norm === 'string') return preprocessingAffine(norm);
  return {
    scale: norm.std.map((s) => 1 / s) as [number, number, number],
    offset: norm.mean.map((m, c) => -m / norm.std[c]) as [number, number, number],
  };
}

/**
 * Normalize an RGB crop (HWC, 0..255) into a teacher's input (HWC float32, its channel order).
 * Named modes go through the device contract's {@link normalizePixels}, so a teacher that
 * shares a student's preprocessing sees exactly the student's numbers.
 */
export function normalizeTeacherPixels(rgb: ArrayLike<number>, desc: Pick<TeacherDescriptor, 'normalization' | 'channels'>, out?: Float32Array): Float32Array {
  if (typeof desc.normalization === 'string') return normalizePixels(rgb, desc.normalization, out);
  const n = rgb.length;
  const dst = out ?? new Float32Array(n);
  const { scale, offset } = teacherAffine(desc.normalization);
  const bgr = desc.channels === 'bgr';
  for (let i = 0; i < n; i += 3) {
    const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
    dst[i] = (bgr ? b : r) * scale[0] + offset[0];
    dst[i + 1] = g * scale[1] + offset[1];
    dst[i + 2] = (bgr ? r : b) * scale[2] + offset[2];
  }
  return dst;
}
