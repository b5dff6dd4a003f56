/**
 * The settings of a training run: what `agekit train` parses from its flags and records in the
 * run folder's config.json, so a run can be resumed and reproduced.
 *
 * @example
 * const config = resolveTrainConfig({ net: 'mobilenet64', dataset: 'utkface:data:split=train', valDataset: 'utkface:data:split=val' });
 */
import type { HeadType } from '../../core/contract/model-metadata.ts';
import type { Preprocessing } from '../../core/contract/preprocessing.ts';
import type { BackendChoice } from '../../core/backend/tfjs-backend.ts';
import type { Augmentation } from '../data/batch-stream.ts';
import type { BoxJitterStd } from '../data/augmentation.ts';
import { parseLrSchedule, type LrSchedule } from './lr-schedule.ts';
import type { OptimizerName } from './optimizer.ts';

export interface TrainConfig {
  /** Network name (see `agekit nets`). */
  net: string;
  /** Training and validation dataset specs. */
  dataset: string;
  valDataset: string;
  head: HeadType;
  preprocessing: Preprocessing;
  augmentation: Augmentation;
  /** Box-jitter standard deviations (dx, dy, scale) replacing the seed's, e.g. the detector's measured noise; undefined = the seed's. */
  boxJitter?: BoxJitterStd;
  batchSize: number;
  lr: LrSchedule;
  /** Number of epochs in total (a resumed run stops at the same count). */
  epochs: number;
  optimizer: OptimizerName;
  /** SGD momentum (0 = plain SGD); unused by Adam. */
  momentum: number;
  /** L2 penalty coefficient on kernels (see weight-decay.ts). */
  weightDecay: number;
  /** `none` or the path of a checkpoint / tfjs layers model.json whose matching layers are copied. */
  pretraining: string;
  seed: number;
  /** Stop an epoch after this many steps (0 = a full pass). */
  maxStepsPerEpoch: number;
  /** Face-crop margin for datasets with boxes; undefined keeps the dataset's own crop. */
  cropMargin?: number;
  /** Model input [height, width]; undefined = the network's default. */
  inputSize?: [number, number];
  backend: BackendChoice;
  /**
   * Momentum of the batch-norm moving averages while training; undefined keeps the network's
   * (0.99, as Keras). Short runs need less (0.9): with 0.99 the averages that inference uses lag
   * the weights for several hundred steps.
   */
  bnMomentum?: number;
  /**
   * Dex head only: standard deviation (years) of a Gaussian label distribution around the true
   * age instead of a one-hot target; 0 or undefined = one-hot.
   */
  labelSigma?: number;
  /**
   * Decay of an exponential moving average of the weights (weight-average.ts); validation and the
   * saved checkpoints use the average. Undefined or 0 = none. 0.999 averages about the last 1,000 steps.
   */
  weightAverage?: number;
}

/** Defaults of every optional setting. */
export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'net' | 'dataset' | 'valDataset'> = {
  head: 'regression',
  preprocessing: 'vggface2',
  augmentation: 'default',
  batchSize: 32,
  lr: parseLrSchedule('0.005:0.2:20'),
  epochs: 60,
  optimizer: 'sgd',
  momentum: 0.9,
  weightDecay: 5e-5,
  pretraining: 'none',
  seed: 0,
  maxStepsPerEpoch: 0,
  backend: 'auto',
};

/** Fill defaults in. */
export function resolveTrainConfig(partial: Partial<TrainConfig> & Pick<TrainConfig, 'net' | 'dataset' | 'valDataset'>): TrainConfig {
  const out = { ...DEFAULT_TRAIN_CONFIG } as TrainConfig;
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}
