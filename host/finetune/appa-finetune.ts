/**
 * `agekit finetune appa`: the seed's APPA-REAL fine-tuning. A trained age network continues on
 * the APPA-REAL training set (all layers trainable, MSE on the mean apparent age for a regression
 * head), validating on `valid` and keeping the best checkpoint, through the ordinary training
 * run; then the best checkpoint is measured on `test`: MAE and the LAP epsilon-error.
 *
 * @example
 * const r = await finetuneAppa({ from: 'runs/m96', dataset: 'appa:/data/appa-real', out: 'runs/m96-appa' });
 * console.log(r.test.mae, r.test.epsilonError);
 */
import { UsageError } from '../../core/errors.ts';
import type { BackendChoice } from '../../core/backend/tfjs-backend.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { join } from 'node:path';
import type { Augmentation } from '../data/batch-stream.ts';
import { loadDataset } from '../data/load-dataset.ts';
import { readCheckpointMetadata, resolveCheckpointDir } from '../checkpoint/checkpoint.ts';
import { openAgePredictor } from '../eval/open-predictor.ts';
import { evaluateAgePredictor } from '../eval/evaluate.ts';
import { epsilonError } from '../eval/protocol/epsilon-error.ts';
import { formatLrSchedule, parseLrSchedule } from '../train/lr-schedule.ts';
import { resolveTrainConfig } from '../train/train-config.ts';
import { trainRun, type EpochProgress } from '../train/train-run.ts';
import type { FinetuneSchedule } from './finetune-schedule.ts';

/** APPA-REAL fine-tuning; unset schedule fields take DEFAULT_APPA_FINETUNE (the seed's: lr 0.0005:0.2:70, 70 epochs, batch 128, plain SGD, no weight decay, default augmentation). */
export interface AppaFinetuneOptions extends FinetuneSchedule {
  /** Run folder or checkpoint of the age network to start from. */
  from: string;
  /** An `appa:<root>` spec without :split=. */
  dataset: string;
  /** The new run folder. */
  out: string;
  backend?: BackendChoice;
  /** Continue a fine-tuning run in `out`. */
  resume?: boolean;
  command?: string[];
  progress?: (label: string, total: number) => EpochProgress;
}

export const DEFAULT_APPA_FINETUNE = { lr: '0.0005:0.2:70', epochs: 70, batchSize: 128, momentum: 0, weightDecay: 0, augmentation: 'default' as Augmentation };

export interface AppaFinetuneResult {
  out: string;
  bestValMae: number;
  bestEpoch: number;
  /** The best checkpoint on the test split. */
  test: { n: number; mae: number; epsilonError: number };
}

/** Fine-tune, then measure the best checkpoint on `test`; the test figures also go to `<out>/appa-test.json`. */
export async function finetuneAppa(o: AppaFinetuneOptions): Promise<AppaFinetuneResult> {
  if (/:split=/.test(o.dataset)) throw new UsageError('must not select a split itself (train, valid and test are used)', { where: o.dataset, hint: 'pass appa:<root> alone' });
  const log = o.log ?? (() => {});
  const sourceDir = await resolveCheckpointDir(o.from);
  const meta = await readCheckpointMetadata(sourceDir);
  const config = resolveTrainConfig({
    net: meta.net, dataset: `${o.dataset}:split=train`, valDataset: `${o.dataset}:split=valid`,
    head: meta.head, preprocessing: meta.preprocessing, inputSize: meta.inputSize,
    augmentation: o.augmentation ?? DEFAULT_APPA_FINETUNE.augmentation,
    batchSize: o.batchSize ?? DEFAULT_APPA_FINETUNE.batchSize,
    lr: o.lr ?? parseLrSchedule(DEFAULT_APPA_FINETUNE.lr),
    epochs: o.epochs ?? DEFAULT_APPA_FINETUNE.epochs,
    optimizer: 'sgd', momentum: o.momentum ?? DEFAULT_APPA_FINETUNE.momentum, weightDecay: o.weightDecay ?? DEFAULT_APPA_FINETUNE.weightDecay,
    pretraining: sourceDir, seed: o.seed, maxStepsPerEpoch: o.maxStepsPerEpoch, backend: o.backend,
  });
  const train = await loadDataset(config.dataset);
  const val = await loadDataset(config.valDataset);
  log(`fine-tuning ${meta.net} (${meta.head}) from ${sourceDir} on ${config.dataset} (${train.samples.length} faces), validating on valid (${val.samples.length}); lr ${formatLrSchedule(config.lr)}, sgd momentum ${config.momentum}, all layers trainable`);
  const run = await trainRun({ config, outDir: o.out, train, val, resume: o.resume, headPrior: false, command: o.command, backend: o.backend, log, progress: o.progress });
  const test = await loadDataset(`${o.dataset}:split=test`);
  const predictor = await openAgePredictor(o.out);
  try {
    const r = await evaluateAgePredictor(predictor, test);
    const std = r.samples.map((s) => s.ageStd ?? NaN);
    if (std.some((v) => !Number.isFinite(v))) throw new UsageError('test samples lack the apparent-age std', { where: test.spec, hint: 'the epsilon-error needs gt_avg_test.csv with its std column' });
    const result: AppaFinetuneResult = {
      out: o.out, bestValMae: run.bestValMae, bestEpoch: run.bestEpoch,
      test: { n: r.samples.length, mae: r.metrics.mae, epsilonError: epsilonError(r.predictions, r.truths, std) },
    };
    await writeFileAtomic(join(o.out, 'appa-test.json'), JSON.stringify({ from: sourceDir, dataset: o.dataset, best_val_mae: result.bestValMae, best_epoch: result.bestEpoch, test_n: result.test.n, test_mae: result.test.mae, test_epsilon_error: result.test.epsilonError }, null, 2) + '\n');
    return result;
  } finally {
    await predictor.close();
  }
}
