/**
 * The representative-set contract the full-integer converter consumes: preprocessed face crops
 * of one input size and preprocessing, streamed one at a time. `agekit calibrate build` writes
 * sets to disk; a dataset spec (`utkface:<dir>:split=train:limit=200`) can stand in for one.
 *
 * @example
 * for await (const x of set.samples()) observe(x); // x: Float32Array [h, w, 3], model units
 */
import { DataError } from '../core/errors.ts';
import type { Preprocessing } from '../core/contract/preprocessing.ts';
import type { ModelMetadata } from '../core/contract/model-metadata.ts';

export interface RepresentativeSet {
  /** Where the set came from (directory or dataset spec), recorded in the model's metadata. */
  readonly source: string;
  /** Crop size [height, width] of every sample. */
  readonly inputSize: [number, number];
  /** How the crops were normalized (must equal the model's). */
  readonly preprocessing: Preprocessing;
  /** Number of samples, when known in advance. */
  readonly count?: number;
  /** The samples, HWC float32 in model units (already normalized), `h * w * 3` values each. */
  samples(): AsyncIterable<Float32Array>;
}

/** Throw a DataError when a set cannot calibrate a model: wrong input size or preprocessing. */
export function checkRepresentativeSet(set: RepresentativeSet, meta: Pick<ModelMetadata, 'inputSize' | 'preprocessing'>): void {
  const [h, w] = meta.inputSize;
  if (set.inputSize[0] !== h || set.inputSize[1] !== w) {
    throw new DataError(`representative set crops are ${set.inputSize.join('x')} but the model takes ${h}x${w}`, {
      where: set.source, hint: `build a set with the model's input size (agekit calibrate build ... ) or pass a dataset spec`,
    });
  }
  if (set.preprocessing !== meta.preprocessing) {
    throw new DataError(`representative set uses preprocessing "${set.preprocessing}" but the model uses "${meta.preprocessing}"`, {
      where: set.source, hint: 'build the set with the same preprocessing as the model',
    });
  }
  if (set.count === 0) throw new DataError('representative set is empty', { where: set.source, hint: 'build it with --samples > 0' });
}
