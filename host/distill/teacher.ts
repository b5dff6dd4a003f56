/**
 * The Teacher: a pretrained age model that labels face crops for distillation. Every teacher is
 * a descriptor (input size, normalization, read-out, crop) plus a runner that maps a batch of
 * normalized crops to the chosen output; this file joins the two, so normalization and the
 * age read-out are written once for all kinds of model.
 *
 * @example
 * const teacher = await loadTeacher('faceres');
 * const { ages, dist } = await teacher.predict([crop224]); // crop: RGB bytes, 224x224x3
 */
import { readAges } from '../../core/contract/model-metadata.ts';
import { DataError } from '../../core/errors.ts';
import { normalizeTeacherPixels, type TeacherDescriptor } from './teacher-descriptor.ts';

/** What a teacher says about a batch of n crops. */
export interface TeacherPrediction {
  /** Predicted age per crop, years, [n]. */
  ages: Float32Array;
  /** For distribution teachers: probabilities over `bins` ages, [n, bins] row-major, rows sum to 1. */
  dist?: Float32Array;
}

export interface Teacher {
  readonly name: string;
  /** Crop size the teacher takes, [height, width]. */
  readonly inputSize: [number, number];
  readonly descriptor: TeacherDescriptor;
  /** Number of age bins of the distribution, for distribution teachers. */
  readonly bins?: number;
  /** Age of bin 0 (distribution teachers). */
  readonly firstAge?: number;
  /**
   * Predict ages for RGB crops (HWC bytes, inputSize[0] x inputSize[1] x 3 each), cropped with
   * the descriptor's crop spec (see cropForTeacher).
   */
  predict(crops: Uint8Array[]): Promise<TeacherPrediction>;
  /** Release the model's memory. */
  close(): Promise<void>;
}

/** Runs the model on a normalized batch and returns the descriptor's output. */
export interface TeacherRunner {
  /**
   * @param x normalized input, [n, height, width, 3] float32 row-major
   * @returns the chosen output, [n, k] float32 row-major
   */
  run(x: Float32Array, n: number): Promise<Float32Array>;
  /** Number of weights, for reports. */
  readonly parameters?: number;
  close(): Promise<void>;
}

/** In-place softmax of each row of an [n, k] array. */
export function softmaxRows(a: Float32Array, n: number, k: number): void {
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, a[i * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += (a[i * k + j] = Math.exp(a[i * k + j] - max));
    for (let j = 0; j < k; j++) a[i * k + j] /= sum;
  }
}

/** A teacher made of a descriptor and a runner. */
export class ModelTeacher implements Teacher {
  readonly name: string;
  readonly inputSize: [number, number];
  readonly bins?: number;
  readonly firstAge?: number;

  constructor(readonly descriptor: TeacherDescriptor, private readonly runner: TeacherRunner) {
    this.name = descriptor.name;
    this.inputSize = descriptor.inputSize;
    if (descriptor.readout.kind === 'expected') {
      this.bins = descriptor.readout.bins;
      this.firstAge = descriptor.readout.firstAge;
    }
  }

  /** Number of weights of the model, when the runner knows it. */
  get parameters(): number | undefined { return this.runner.parameters; }

  async predict(crops: Uint8Array[]): Promise<TeacherPrediction> {
    const n = crops.length;
    if (n === 0) return { ages: new Float32Array(0) };
    const [h, w] = this.inputSize;
    const size = h * w * 3;
    const x = new Float32Array(n * size);
    crops.forEach((crop, i) => {
      if (crop.length !== size) {
        throw new DataError(`crop ${i} has ${crop.length} values, teacher "${this.name}" takes ${h}x${w}x3 = ${size}`, { hint: 'crop with cropForTeacher(teacher, ...)' });
      }
      normalizeTeacherPixels(crop, this.descriptor, x.subarray(i * size, (i + 1) * size));
    });
    const out = await this.runner.run(x, n);
    const readout = this.descriptor.readout;
    if (readout.kind === 'scalar') return { ages: readAges(out, n, { kind: 'scalar', outputIndex: 0 }) };
    const { bins, firstAge } = readout;
    if (out.length !== n * bins) {
      throw new DataError(`output has ${out.length / n} values per face, the descriptor says ${bins} bins`, { where: `teacher ${this.name}`, hint: 'fix readout.bins or output in the teacher JSON' });
    }
    if (readout.softmax) softmaxRows(out, n, bins);
    return { ages: readAges(out, n, { kind: 'expected', outputIndex: 0, bins, firstAge }), dist: out };
  }

  async close(): Promise<void> { await this.runner.close(); }
}
