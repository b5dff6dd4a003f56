/**
 * The training/evaluation input contract: a dataset becomes a stream of ready-to-run batches
 * (decoded, cropped, augmented, normalized), prepared ahead while the model computes.
 *
 * @example
 * for await (const b of batchStream(ds, { inputSize: [64, 64], preprocessing: 'vggface2', batchSize: 32 })) train(b);
 */
import type { CropSpec } from '../../device/contract/face-crop.ts';
import type { Preprocessing } from '../../device/contract/preprocessing.ts';
import type { Sample } from './dataset.ts';

export type Augmentation = 'default' | 'no';

export interface Batch {
  /** Number of items in this batch (the last may be smaller unless dropLast). */
  n: number;
  /** Model input, [n, height, width, 3] float32, normalized for the model. */
  x: Float32Array;
  /** Ages, [n]; NaN where the sample has no label. */
  ages: Float32Array;
  /** The samples of this batch, in order (for reports and teacher targets). */
  samples: Sample[];
}

export interface BatchStreamOptions {
  /** Model input [height, width]. */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  /** Default `no` (validation data is never augmented). */
  augmentation?: Augmentation;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle the order each epoch. Default false. */
  shuffle?: boolean;
  /** Seed for shuffling and augmentation. Default 0. */
  seed?: number;
  /** How boxes become crops; default the dataset's own, else {margin: 0, square: true}. */
  crop?: CropSpec;
  /** Batches prepared ahead of the consumer. Default 2. */
  prefetch?: number;
  /** Drop a last incomplete batch. Default false. */
  dropLast?: boolean;
  /** Called for each sample that fails to decode; it is skipped and counted, never fatal. */
  onSkip?: (sample: Sample, reason: string) => void;
}
