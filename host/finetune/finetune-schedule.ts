/**
 * The optimisation settings both fine-tuning protocols (APPA-REAL, Adience) accept. Each protocol
 * has its own defaults, the seed framework's (DEFAULT_APPA_FINETUNE, DEFAULT_ADIENCE_FINETUNE).
 */
import type { Augmentation } from '../data/batch-stream.ts';
import type { LrSchedule } from '../train/lr-schedule.ts';

export interface FinetuneSchedule {
  /** Start, multiplier, every how many epochs. */
  lr?: LrSchedule;
  epochs?: number;
  batchSize?: number;
  /** SGD momentum (0: plain SGD). */
  momentum?: number;
  /** L2 penalty coefficient on conv and dense kernels. */
  weightDecay?: number;
  augmentation?: Augmentation;
  /** Stop each epoch after this many steps (0 = a full pass). Default 0. */
  maxStepsPerEpoch?: number;
  seed?: number;
  /** Status lines. */
  log?: (line: string) => void;
}
