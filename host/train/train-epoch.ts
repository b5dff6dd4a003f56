/**
 * One epoch of training: a shuffled, augmented pass of batches through a train step, at most
 * `steps` of them, stopping on a non-finite loss. `agekit train` and the Adience fine-tuning
 * both run their epochs through here; they differ only in what they do between epochs.
 *
 * @example
 * const e = await trainEpoch({ dataset: train, step, steps: 400, batches: { inputSize: [64, 64], preprocessing: 'vggface2', augmentation: 'default', batchSize: 32, seed: 7 }, diverged: { where: '--lr', hint: 'lower the learning rate' }, label: 'epoch 3' });
 */
import { UsageError } from '../../core/errors.ts';
import { batchStream, type Batch, type BatchStreamOptions } from '../data/batch-stream.ts';
import type { Dataset } from '../data/dataset.ts';
import type { StepLoss } from './train-step.ts';

export interface TrainEpochOptions {
  dataset: Dataset;
  step: (batch: Batch) => StepLoss;
  /** Steps at most (a full pass when the data runs out first). */
  steps: number;
  /** How batches are drawn; shuffled, whole batches only. */
  batches: Omit<BatchStreamOptions, 'shuffle' | 'dropLast'>;
  /** Called after each step, e.g. to update a weight average. */
  afterStep?: () => void;
  /** Progress after each step: steps done, mean loss so far, images per second. */
  onStep?: (done: number, meanLoss: number, imagesPerSecond: number) => void;
  /** Names the epoch in the divergence error, e.g. `epoch 3` or `fold 1 epoch 3`. */
  label: string;
  /** Where the divergence error points and what it tells the user to do. */
  diverged: { where: string; hint: string };
}

export interface EpochResult { steps: number; meanLoss: number; images: number; seconds: number }

export async function trainEpoch(o: TrainEpochOptions): Promise<EpochResult> {
  const t0 = performance.now();
  let steps = 0, lossSum = 0, images = 0;
  const stream = batchStream(o.dataset, { ...o.batches, shuffle: true, dropLast: true });
  for await (const batch of stream as AsyncIterable<Batch>) {
    const { loss } = o.step(batch);
    o.afterStep?.();
    if (!Number.isFinite(loss)) throw new UsageError(`training diverged: loss ${loss} at ${o.label} step ${steps + 1}`, o.diverged);
    steps++; lossSum += loss; images += batch.n;
    o.onStep?.(steps, lossSum / steps, images / ((performance.now() - t0) / 1000));
    if (steps >= o.steps) break;
  }
  return { steps, meanLoss: lossSum / Math.max(1, steps), images, seconds: (performance.now() - t0) / 1000 };
}
