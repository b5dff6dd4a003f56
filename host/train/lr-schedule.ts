/**
 * The step learning-rate schedule of the seed framework: `--lr init:factor:step` starts at
 * `init` and multiplies by `factor` every `step` epochs.
 *
 * @example
 * const s = parseLrSchedule('0.005:0.2:20');
 * learningRateAt(s, 1);  // 0.005 (epochs count from 1)
 * learningRateAt(s, 21); // 0.001
 */
import { UsageError } from '../../core/errors.ts';

export interface LrSchedule {
  /** Learning rate of the first epoch. */
  initial: number;
  /** Multiplier applied every `stepEpochs` epochs (1 keeps it constant). */
  factor: number;
  /** Epochs between two multiplications. */
  stepEpochs: number;
}

/** Parse `init[:factor[:step]]`; factor defaults to 1 (constant), step to 1. */
export function parseLrSchedule(text: string, where = '--lr'): LrSchedule {
  const parts = String(text).split(':');
  const nums = parts.map(Number);
  const bad = parts.length > 3 || parts.some((p) => p.trim() === '') || nums.some((n) => !Number.isFinite(n));
  if (bad || nums[0] <= 0 || (nums.length > 1 && nums[1] <= 0) || (nums.length > 2 && (!Number.isInteger(nums[2]) || nums[2] < 1))) {
    throw new UsageError(`expected init:factor:step with init > 0, factor > 0 and an integer step >= 1 (got "${text}")`, { where, hint: 'for example 0.005:0.2:20 starts at 0.005 and multiplies by 0.2 every 20 epochs' });
  }
  return { initial: nums[0], factor: nums[1] ?? 1, stepEpochs: nums[2] ?? 1 };
}

/** The learning rate of an epoch (1-based). */
export function learningRateAt(s: LrSchedule, epoch: number): number {
  return s.initial * Math.pow(s.factor, Math.floor((Math.max(1, epoch) - 1) / s.stepEpochs));
}

/** Back to the `init:factor:step` text. */
export function formatLrSchedule(s: LrSchedule): string {
  return `${s.initial}:${s.factor}:${s.stepEpochs}`;
}
