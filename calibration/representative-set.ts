/**
 * Whether a representative set (core/contract/representative-set-dir.ts: a folder, or a dataset
 * spec such as `utkface:<dir>:split=train:limit=200` standing in for one) can calibrate a model.
 *
 * @example
 * for await (const x of set.samples()) observe(x); // x: Float32Array [h, w, 3], model units
 */
import { DataError } from '../core/errors.ts';
import type { ModelMetadata } from '../core/contract/model-metadata.ts';
import type { RepresentativeSet } from '../core/contract/representative-set-dir.ts';

export type { RepresentativeSet };

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
