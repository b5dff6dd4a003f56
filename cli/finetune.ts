/**
 * `agekit finetune appa|adience`: the seed's fine-tuning recipes on top of a trained age network.
 * appa: all layers, MSE on the apparent age, best checkpoint on `valid`, then MAE and epsilon-error
 * on `test`. adience: an 8-way head, five-fold rotation, exact and 1-off accuracy and the
 * confusion matrix.
 *
 * @example
 * agekit finetune appa --from runs/m96 --dataset appa:/data/appa-real --out runs/m96-appa
 * agekit finetune adience --from runs/m96 --dataset adience:/data/adience --folds rotate --out runs/m96-adience
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import type { Augmentation } from '../host/data/batch-stream.ts';
import { adienceJson, DEFAULT_ADIENCE_FINETUNE, finetuneAdience, formatAdienceTable } from '../host/finetune/adience-finetune.ts';
import { DEFAULT_APPA_FINETUNE, finetuneAppa } from '../host/finetune/appa-finetune.ts';
import { parseLrSchedule, type LrSchedule } from '../host/train/lr-schedule.ts';
import { backendOption, floatArg, intArg } from './options.ts';
import { createProgress, type Progress } from './progress.ts';
import { useTrainingBackend } from './training-backend.ts';

interface FinetuneFlags {
  from: string; dataset: string; out: string; lr: LrSchedule; trainingEpochs: number; batch: number; momentum: number; weightDecay: number;
  augmentation: Augmentation; maxStepsPerEpoch: number; seed: number; backend: BackendChoice;
}

/** Parse `--folds rotate` (test folds 0..4 in turn) or a comma list of test folds. */
export function parseFolds(value: string): number[] {
  if (value === 'rotate') return [0, 1, 2, 3, 4];
  const folds = value.split(',').map((s) => Number(s.trim()));
  if (folds.length === 0 || folds.some((f) => !Number.isInteger(f) || f < 0 || f > 4) || new Set(folds).size !== folds.length) {
    throw new UsageError(`expected rotate or a comma list of test folds 0..4 (got "${value}")`, { where: '--folds' });
  }
  return folds;
}

function commonOptions(cmd: Command, d: { lr: string; epochs: number; batchSize: number; momentum: number; weightDecay: number }): Command {
  return cmd
    .requiredOption('--from <run>', 'run folder (its best/) or checkpoint of the trained age network')
    .requiredOption('--out <dir>', 'output folder')
    .addOption(new Option('--lr <init:factor:step>', 'learning rate: start, multiplier, every how many epochs').argParser((v) => parseLrSchedule(v)).default(parseLrSchedule(d.lr), d.lr))
    .option('--training-epochs <n>', 'epochs', intArg('--training-epochs', { min: 1 }), d.epochs)
    .option('--batch <n>', 'batch size', intArg('--batch', { min: 1 }), d.batchSize)
    .option('--momentum <m>', 'SGD momentum', floatArg('--momentum', { min: 0, max: 0.9999 }), d.momentum)
    .option('--weight-decay <w>', 'L2 penalty coefficient', floatArg('--weight-decay', { min: 0 }), d.weightDecay)
    .addOption(new Option('--augmentation <mode>', 'training augmentation').choices(['default', 'no']).default('default'))
    .option('--max-steps-per-epoch <n>', 'stop each epoch after n steps (0: a full pass)', intArg('--max-steps-per-epoch', { min: 0 }), 0)
    .option('--seed <n>', 'seed of shuffling, augmentation and new layers', intArg('--seed', { min: 0 }), 0)
    .addOption(backendOption());
}

export function registerFinetune(program: Command): void {
  const finetune = program.command('finetune').description('fine-tune a trained age network as the seed does: APPA-REAL (apparent age) or Adience (8 groups, five folds)').exitOverride();

  commonOptions(finetune.command('appa').description('all layers, MSE on the mean apparent age, best on valid; then MAE and epsilon-error on test'), DEFAULT_APPA_FINETUNE)
    .requiredOption('--dataset <spec>', 'appa:<root> (train, valid and test are used)')
    .option('--resume', 'continue the fine-tuning run in --out', false)
    .action(async (f: FinetuneFlags & { resume: boolean }) => {
      const backend = await useTrainingBackend(f.backend);
      const r = await finetuneAppa({
        from: f.from, dataset: f.dataset, out: f.out, lr: f.lr, epochs: f.trainingEpochs, batchSize: f.batch, momentum: f.momentum, weightDecay: f.weightDecay,
        augmentation: f.augmentation, maxStepsPerEpoch: f.maxStepsPerEpoch, seed: f.seed, backend: f.backend, resume: f.resume,
        command: ['agekit', ...process.argv.slice(2)], log: (line) => process.stderr.write(line + '\n'),
        progress: (label, total) => {
          const p = createProgress(label, total, { plainEveryMs: 15_000 });
          return { update: (step, x) => p.update(step, { loss: x.loss, 'img/s': Number(x.imagesPerSecond.toFixed(1)) }), stop: () => p.stop() };
        },
      });
      process.stdout.write(JSON.stringify({ out: resolve(r.out), backend, best_val_mae: r.bestValMae, best_epoch: r.bestEpoch, test_n: r.test.n, test_mae: r.test.mae, test_epsilon_error: r.test.epsilonError }) + '\n');
      process.stderr.write(`fine-tuned run in ${resolve(r.out)} (best/ at epoch ${r.bestEpoch}, valid MAE ${r.bestValMae.toFixed(3)}); test MAE ${r.test.mae.toFixed(3)}, epsilon-error ${r.test.epsilonError.toFixed(4)} (appa-test.json)\n`);
    });

  commonOptions(finetune.command('adience').description('8-way softmax head, momentum SGD with weight decay, train on four folds and test on the fifth'), DEFAULT_ADIENCE_FINETUNE)
    .requiredOption('--dataset <spec>', 'adience:<root> (the folds are chosen by the rotation)')
    .addOption(new Option('--folds <rotate|list>', 'rotate: each of the five folds is the test fold once; or a comma list of test folds').argParser(parseFolds).default([0, 1, 2, 3, 4], 'rotate'))
    .action(async (f: FinetuneFlags & { folds: number[] }) => {
      const backend = await useTrainingBackend(f.backend);
      let bar: Progress | undefined;
      let barKey = '';
      const r = await finetuneAdience({
        from: f.from, dataset: f.dataset, testFolds: f.folds, lr: f.lr, epochs: f.trainingEpochs, batchSize: f.batch, momentum: f.momentum, weightDecay: f.weightDecay,
        augmentation: f.augmentation, maxStepsPerEpoch: f.maxStepsPerEpoch, seed: f.seed, out: f.out,
        log: (line) => { bar?.stop(); bar = undefined; process.stderr.write(line + '\n'); },
        onStep: (fold, epoch, step, steps, loss) => {
          const key = `${fold}/${epoch}`;
          if (key !== barKey) { bar?.stop(); bar = createProgress(`fold ${fold} epoch ${epoch}`, steps, { plainEveryMs: 15_000 }); barKey = key; }
          bar!.update(step, { loss });
        },
      });
      bar?.stop();
      process.stdout.write(formatAdienceTable(r));
      const json = resolve(f.out, 'results.json');
      await writeFileAtomic(json, JSON.stringify({ ...adienceJson(r), backend }, null, 2) + '\n');
      process.stderr.write(`results (per fold, average, confusion matrices) written to ${json}\n`);
    });
}
