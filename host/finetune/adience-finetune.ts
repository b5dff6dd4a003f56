/**
 * `agekit finetune adience`: the seed's five-fold Adience protocol. For each rotation the
 * trained age network gets an 8-way head (adience-head.ts), all layers train on four folds with
 * momentum SGD and weight decay, and the fifth fold is the test: exact and 1-off accuracy and the
 * confusion matrix per fold, then averaged over folds.
 *
 * @example
 * const r = await finetuneAdience({ from: 'runs/m96', dataset: 'adience:/data/adience', testFolds: [0, 1, 2, 3, 4] });
 * console.log(r.average.exact, r.average.oneOff);
 */
import * as tf from '@tensorflow/tfjs';
import { DataError, UsageError } from '../../core/errors.ts';
import type { ModelMetadata } from '../../core/contract/model-metadata.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { join } from 'node:path';
import { batchStream, type Augmentation, type Batch } from '../data/batch-stream.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadDataset } from '../data/load-dataset.ts';
import { loadCheckpoint } from '../checkpoint/checkpoint.ts';
import { ADIENCE_AGE_GROUPS, averageFolds, confusionMatrix, groupAccuracy, type GroupAccuracy } from '../eval/protocol/adience-accuracy.ts';
import { formatLrSchedule, learningRateAt, parseLrSchedule } from '../train/lr-schedule.ts';
import { createOptimizer, setLearningRate } from '../train/optimizer.ts';
import { crossEntropyLoss, type TargetProvider } from '../train/targets.ts';
import { createTrainStep } from '../train/train-step.ts';
import { trainEpoch } from '../train/train-epoch.ts';
import { registerBatchNormGradient } from '../train/batch-norm-gradient.ts';
import { replaceWithAdienceHead } from './adience-head.ts';
import type { FinetuneSchedule } from './finetune-schedule.ts';

/** Adience fine-tuning; unset schedule fields take DEFAULT_ADIENCE_FINETUNE (the seed's: lr 0.0005:0.2:20, 35 epochs, batch 32, momentum 0.9, weight decay 5e-4, default augmentation). */
export interface AdienceFinetuneOptions extends FinetuneSchedule {
  /** Run folder or checkpoint of the age network to start from. */
  from: string;
  /** An `adience:<root>` spec without :fold= or :split=. */
  dataset: string;
  /** Test fold of each rotation (its training folds are the other four). Default 0..4, all five rotations. */
  testFolds?: number[];
  /** Folder for results.json (written after each fold). */
  out?: string;
  /** Progress of one epoch's steps. */
  onStep?: (fold: number, epoch: number, step: number, steps: number, loss: number) => void;
}

export const DEFAULT_ADIENCE_FINETUNE = {
  lr: '0.0005:0.2:20', epochs: 35, batchSize: 32, momentum: 0.9, weightDecay: 5e-4, augmentation: 'default' as Augmentation,
};

export interface AdienceFoldResult extends GroupAccuracy {
  testFold: number;
  trainFolds: number[];
  trainSamples: number;
  /** Rows = true group, columns = predicted group. */
  confusion: number[][];
  finalLoss: number;
}

export interface AdienceFinetuneResult {
  folds: AdienceFoldResult[];
  /** Fold accuracies averaged with equal weight per fold. */
  average: GroupAccuracy;
  /** Sum of the folds' confusion matrices. */
  confusion: number[][];
  settings: Record<string, unknown>;
}

/** Cross-entropy against the one-hot age group of each sample (Sample.ageGroup). */
export function adienceGroupTargets(): TargetProvider {
  const k = ADIENCE_AGE_GROUPS.length;
  return {
    id: 'adience-group-cross-entropy',
    needsAges: false,
    makeTargets(batch: Batch) {
      const onehot = new Float32Array(batch.n * k);
      for (let i = 0; i < batch.n; i++) {
        const g = batch.samples[i].ageGroup;
        if (g === undefined || g < 0 || g >= k) throw new DataError(`sample has no Adience age group (${g})`, { where: batch.samples[i].path, hint: 'fine-tune on an adience:<root> dataset' });
        onehot[i * k + g] = 1;
      }
      return { groups: tf.tensor2d(onehot, [batch.n, k]) };
    },
    loss: (output, t) => crossEntropyLoss(output, t.groups),
    describe: () => ({ loss: 'cross-entropy', target: 'one-hot Adience age group', classes: k }),
  };
}

function specWithFolds(spec: string, folds: number[]): string {
  if (/:(fold|split)=/.test(spec)) throw new UsageError('must not select folds itself (the rotation does)', { where: spec, hint: 'pass adience:<root> alone' });
  return `${spec}:fold=${folds.join(',')}`;
}

/** Predicted group (arg max) of every test sample, in order. */
async function predictGroups(model: tf.LayersModel, ds: Dataset, meta: ModelMetadata, batchSize: number): Promise<{ pred: number[]; truth: number[] }> {
  const [h, w] = meta.inputSize;
  const pred: number[] = [], truth: number[] = [];
  const stream = batchStream(ds, { inputSize: [h, w], preprocessing: meta.preprocessing, augmentation: 'no', batchSize, shuffle: false, crop: ds.crop });
  for await (const batch of stream as AsyncIterable<Batch>) {
    const out = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(batch.x.subarray(0, batch.n * h * w * 3), [batch.n, h, w, 3])) as tf.Tensor, -1));
    const idx = await out.data();
    out.dispose();
    for (let i = 0; i < batch.n; i++) { pred.push(idx[i]); truth.push(batch.samples[i].ageGroup!); }
  }
  return { pred, truth };
}

/** Run the rotations. Each starts again from the same source checkpoint. */
export async function finetuneAdience(o: AdienceFinetuneOptions): Promise<AdienceFinetuneResult> {
  const log = o.log ?? (() => {});
  const lr = o.lr ?? parseLrSchedule(DEFAULT_ADIENCE_FINETUNE.lr);
  const epochs = o.epochs ?? DEFAULT_ADIENCE_FINETUNE.epochs;
  const batchSize = o.batchSize ?? DEFAULT_ADIENCE_FINETUNE.batchSize;
  const momentum = o.momentum ?? DEFAULT_ADIENCE_FINETUNE.momentum;
  const weightDecay = o.weightDecay ?? DEFAULT_ADIENCE_FINETUNE.weightDecay;
  const augmentation = o.augmentation ?? DEFAULT_ADIENCE_FINETUNE.augmentation;
  const testFolds = o.testFolds ?? [0, 1, 2, 3, 4];
  const seed = o.seed ?? 0;
  const settings = { from: o.from, dataset: o.dataset, test_folds: testFolds, lr: formatLrSchedule(lr), epochs, batch: batchSize, optimizer: 'sgd', momentum, weight_decay: weightDecay, augmentation, dropout: 0.5, max_steps_per_epoch: o.maxStepsPerEpoch ?? 0, seed };
  const folds: AdienceFoldResult[] = [];
  const k = ADIENCE_AGE_GROUPS.length;
  const total = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const testFold of testFolds) {
    const trainFolds = [0, 1, 2, 3, 4].filter((f) => f !== testFold);
    const train = await loadDataset(specWithFolds(o.dataset, trainFolds));
    const test = await loadDataset(specWithFolds(o.dataset, [testFold]));
    if (train.samples.length < batchSize) throw new UsageError(`folds ${trainFolds.join(',')} have ${train.samples.length} usable samples, fewer than one batch of ${batchSize}`, { where: o.dataset, hint: 'check the dataset with agekit data check, or lower --batch' });
    if (test.samples.length === 0) throw new UsageError(`test fold ${testFold} has no usable samples`, { where: o.dataset, hint: 'check the dataset with agekit data check' });
    const source = await loadCheckpoint(o.from);
    const model = replaceWithAdienceHead(source.model, { seed: seed + testFold });
    const meta = source.meta;
    const [h, w] = meta.inputSize;
    const optimizer = createOptimizer({ optimizer: 'sgd', learningRate: learningRateAt(lr, 1), momentum });
    registerBatchNormGradient(); // as agekit train does: one-kernel batch-norm gradient
    const step = createTrainStep({ model, optimizer, targets: adienceGroupTargets(), weightDecay });
    const stepsPerPass = Math.floor(train.samples.length / batchSize);
    const steps = o.maxStepsPerEpoch ? Math.min(o.maxStepsPerEpoch, stepsPerPass) : stepsPerPass;
    log(`fold ${testFold}: training on folds ${trainFolds.join(',')} (${train.samples.length} faces), testing on ${test.samples.length}; ${epochs} epochs of ${steps} steps, lr ${formatLrSchedule(lr)}`);
    let lastLoss = NaN;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      setLearningRate(optimizer, learningRateAt(lr, epoch));
      ({ meanLoss: lastLoss } = await trainEpoch({
        dataset: train, step, steps, label: `fold ${testFold} epoch ${epoch}`,
        batches: { inputSize: [h, w], preprocessing: meta.preprocessing, augmentation, batchSize, seed: seed * 100_003 + testFold * 1000 + epoch, crop: train.crop },
        onStep: (done, loss) => o.onStep?.(testFold, epoch, done, steps, loss),
        diverged: { where: '--lr', hint: 'lower the learning rate' },
      }));
      log(`fold ${testFold} epoch ${epoch}/${epochs}: loss ${lastLoss.toFixed(4)}`);
    }
    const { pred, truth } = await predictGroups(model, test, meta, Math.max(batchSize, 32));
    const acc = groupAccuracy(pred, truth);
    const confusion = confusionMatrix(pred, truth, k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) total[i][j] += confusion[i][j];
    folds.push({ testFold, trainFolds, trainSamples: train.samples.length, ...acc, confusion, finalLoss: lastLoss });
    log(`fold ${testFold}: exact ${(100 * acc.exact).toFixed(1)}%  1-off ${(100 * acc.oneOff).toFixed(1)}%  (${acc.n} faces)`);
    optimizer.dispose();
    // The classifier shares the backbone's layers: dispose it, then the old head it left out.
    const kept = new Set(model.layers);
    model.dispose();
    for (const l of source.model.layers) if (!kept.has(l) && l.countParams() > 0) l.dispose();
    if (o.out) await writeFileAtomic(join(o.out, 'results.json'), JSON.stringify(adienceJson({ folds, average: averageFolds(folds), confusion: total, settings }), null, 2) + '\n');
  }
  return { folds, average: averageFolds(folds), confusion: total, settings };
}

/** The JSON report (snake_case, as the other reports). */
export function adienceJson(r: AdienceFinetuneResult): Record<string, unknown> {
  return {
    groups: ADIENCE_AGE_GROUPS.map(([a, b]) => `${a}-${b}`),
    folds: r.folds.map((f) => ({ test_fold: f.testFold, train_folds: f.trainFolds, train_samples: f.trainSamples, n: f.n, exact: f.exact, one_off: f.oneOff, confusion: f.confusion, final_loss: f.finalLoss })),
    average: { exact: r.average.exact, one_off: r.average.oneOff, n: r.average.n },
    confusion: r.confusion,
    settings: r.settings,
  };
}

/** A table of the folds, the average and the summed confusion matrix (stdout). */
export function formatAdienceTable(r: AdienceFinetuneResult): string {
  const lines = ['fold   n      exact   1-off'];
  for (const f of r.folds) lines.push(`${String(f.testFold).padEnd(7)}${String(f.n).padEnd(7)}${(100 * f.exact).toFixed(1).padStart(5)}%  ${(100 * f.oneOff).toFixed(1).padStart(5)}%`);
  lines.push(`mean   ${String(r.average.n).padEnd(7)}${(100 * r.average.exact).toFixed(1).padStart(5)}%  ${(100 * r.average.oneOff).toFixed(1).padStart(5)}%`);
  lines.push('', 'confusion (rows true, columns predicted), all folds:');
  const labels = ADIENCE_AGE_GROUPS.map(([a, b]) => `${a}-${b}`);
  lines.push('        ' + labels.map((l) => l.padStart(7)).join(''));
  r.confusion.forEach((row, i) => lines.push(labels[i].padEnd(8) + row.map((v) => String(v).padStart(7)).join('')));
  return lines.join('\n') + '\n';
}
