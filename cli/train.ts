/**
 * `agekit train`: train a network on a dataset into a run folder (config.json, metrics.jsonl,
 * best/, last/), or continue one with --resume. The action only parses flags; the run itself is
 * host/train/train-run.ts.
 *
 * @example
 * agekit train --net mobilenet64 --dataset utkface:data:split=train --val-dataset utkface:data:split=val --out runs/m64
 */
import { Command, Option } from 'commander';
import { initBackend } from '../core/backend/tfjs-backend.ts';
import { UsageError } from '../core/errors.ts';
import { HEAD_TYPES, type HeadType } from '../core/contract/model-metadata.ts';
import { PREPROCESSINGS, type Preprocessing } from '../core/contract/preprocessing.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import type { Augmentation } from '../host/data/batch-stream.ts';
import { parseBoxJitter, type BoxJitterStd } from '../host/data/augmentation.ts';
import { getNet, parsePretraining } from '../host/nets/index.ts';
import { parseLrSchedule, formatLrSchedule, type LrSchedule } from '../host/train/lr-schedule.ts';
import { OPTIMIZER_NAMES, type OptimizerName } from '../host/train/optimizer.ts';
import { readRunConfig } from '../host/train/run-folder.ts';
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, type TrainConfig } from '../host/train/train-config.ts';
import { trainRun } from '../host/train/train-run.ts';
import { backendOption, floatArg, intArg } from './options.ts';
import { distillRunTargets } from '../host/distill/distill-run.ts';
import { createProgress } from './progress.ts';
import { defaultDecodeCacheBytes, parseDecodeCacheMb } from '../host/data/decoded-image-cache.ts';
import { datasetSummary } from './dataset-summary.ts';
import { useTrainingBackend } from './training-backend.ts';

interface TrainFlags {
  net?: string; dataset?: string; valDataset?: string; head: HeadType; preprocessing: Preprocessing; augmentation: Augmentation;
  batch: number; lr: LrSchedule; trainingEpochs: number; optimizer: OptimizerName; momentum: number; weightDecay: number;
  out: string; resume: boolean; backend: BackendChoice; pretraining: string; seed: number; maxStepsPerEpoch: number; cropMargin?: number; bnMomentum?: number; labelSigma?: number;
  teacher?: string; distillAlpha: number; temperature: number; decodeCache?: number; weightAverage?: number; boxJitter?: BoxJitterStd;
}

/** Flag name (commander key) -> config key, for the flags a resumed run may change. */
const RESUMABLE_OVERRIDES: Partial<Record<keyof TrainFlags, keyof TrainConfig>> = { trainingEpochs: 'epochs', backend: 'backend', maxStepsPerEpoch: 'maxStepsPerEpoch' };
const FLAG_TO_CONFIG: Partial<Record<keyof TrainFlags, keyof TrainConfig>> = {
  net: 'net', dataset: 'dataset', valDataset: 'valDataset', head: 'head', preprocessing: 'preprocessing', augmentation: 'augmentation',
  batch: 'batchSize', lr: 'lr', trainingEpochs: 'epochs', optimizer: 'optimizer', momentum: 'momentum', weightDecay: 'weightDecay',
  backend: 'backend', pretraining: 'pretraining', seed: 'seed', maxStepsPerEpoch: 'maxStepsPerEpoch', cropMargin: 'cropMargin', bnMomentum: 'bnMomentum', labelSigma: 'labelSigma',
  weightAverage: 'weightAverage', boxJitter: 'boxJitter',
};

function configFromFlags(f: TrainFlags): TrainConfig {
  for (const [flag, value] of [['--net', f.net], ['--dataset', f.dataset], ['--val-dataset', f.valDataset]] as const) {
    if (!value) throw new UsageError('is required (unless --resume continues a run that has it)', { where: flag });
  }
  getNet(f.net!); // unknown names fail here, listing the known ones
  parsePretraining(f.pretraining); // bare `imagenet` fails here, saying how to supply the weights
  return resolveTrainConfig({
    net: f.net!, dataset: f.dataset!, valDataset: f.valDataset!, head: f.head, preprocessing: f.preprocessing, augmentation: f.augmentation,
    batchSize: f.batch, lr: f.lr, epochs: f.trainingEpochs, optimizer: f.optimizer, momentum: f.momentum, weightDecay: f.weightDecay,
    pretraining: f.pretraining, seed: f.seed, maxStepsPerEpoch: f.maxStepsPerEpoch, cropMargin: f.cropMargin, backend: f.backend, bnMomentum: f.bnMomentum, labelSigma: f.labelSigma,
    weightAverage: f.weightAverage || undefined, boxJitter: f.boxJitter,
  });
}

/** On --resume: the saved config, with the few flags a run may change; other explicit flags must agree. */
async function resumedConfig(cmd: Command, f: TrainFlags): Promise<TrainConfig> {
  const saved = await readRunConfig(f.out);
  if (!saved) throw new UsageError('has no config.json: there is no run to resume', { where: f.out, hint: 'drop --resume to start a new run here' });
  const config = { ...saved.config };
  for (const [flag, key] of Object.entries(FLAG_TO_CONFIG) as [keyof TrainFlags, keyof TrainConfig][]) {
    if (cmd.getOptionValueSource(flag) !== 'cli') continue;
    const value = (f as unknown as Record<string, unknown>)[flag];
    if (RESUMABLE_OVERRIDES[flag]) { (config as unknown as Record<string, unknown>)[key] = value; continue; }
    if (JSON.stringify(value) !== JSON.stringify(config[key])) {
      const shown = key === 'lr' ? formatLrSchedule(config.lr) : JSON.stringify(config[key]);
      throw new UsageError(`the run in ${f.out} was started with ${shown}, a resumed run cannot change it`, { where: `--${flag.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`, hint: 'drop the flag, or start a new run in another --out' });
    }
  }
  return config;
}

export function registerTrain(program: Command): void {
  const d = DEFAULT_TRAIN_CONFIG;
  program.command('train')
    .description('train an age network on a dataset into a run folder (best/ and last/ checkpoints, metrics.jsonl)')
    .option('--net <name>', 'network (see agekit nets), e.g. mobilenet64')
    .option('--dataset <spec>', 'training data, e.g. utkface:<dir>:split=train (add :limit=N for a subset)')
    .option('--val-dataset <spec>', 'validation data, e.g. utkface:<dir>:split=val; best/ is chosen on its MAE')
    .addOption(new Option('--head <head>', 'regression (MSE, output clipped 0..100) or dex (101-bin softmax, cross-entropy)').choices([...HEAD_TYPES]).default(d.head))
    .addOption(new Option('--preprocessing <mode>', 'pixel normalization, recorded in the checkpoint').choices([...PREPROCESSINGS]).default(d.preprocessing))
    .addOption(new Option('--augmentation <mode>', 'training augmentation (validation is never augmented)').choices(['default', 'no']).default(d.augmentation))
    .option('--box-jitter <dx,dy,scale>', 'with --augmentation default: box-jitter standard deviations (fractions of the box side) instead of the seed\'s 0.0225,0.0225,0.045, e.g. the detector noise agekit boxes measured', (v: string) => parseBoxJitter(v))
    .option('--batch <n>', 'batch size', intArg('--batch', { min: 1 }), d.batchSize)
    .addOption(new Option('--lr <init:factor:step>', 'learning rate: start, multiplier, every how many epochs').argParser((v) => parseLrSchedule(v)).default(d.lr, formatLrSchedule(d.lr)))
    .option('--training-epochs <n>', 'epochs in total', intArg('--training-epochs', { min: 1 }), d.epochs)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices([...OPTIMIZER_NAMES]).default(d.optimizer))
    .option('--momentum <m>', 'SGD momentum (0: plain SGD)', floatArg('--momentum', { min: 0, max: 0.9999 }), d.momentum)
    .option('--weight-decay <w>', 'L2 penalty w/2*sum(kernel²) added to the loss (conv and dense kernels)', floatArg('--weight-decay', { min: 0 }), d.weightDecay)
    .option('--out <dir>', 'run folder (created)')
    .option('--resume', 'continue the run in --out from its last completed epoch', false)
    .addOption(backendOption())
    .option('--pretraining <none|path>', 'start from matching layers of a checkpoint or tfjs model.json; imagenet needs a local path', d.pretraining)
    .option('--seed <n>', 'seed of initialisation, shuffling and augmentation', intArg('--seed', { min: 0 }), d.seed)
    .option('--max-steps-per-epoch <n>', 'stop each epoch after n steps (0: a full pass)', intArg('--max-steps-per-epoch', { min: 0 }), d.maxStepsPerEpoch)
    .option('--crop-margin <m>', 'face-box margin (fraction of the box side) for datasets with boxes; default the dataset\'s', floatArg('--crop-margin', { min: 0, max: 2 }))
    .option('--bn-momentum <m>', 'batch-norm moving-average momentum while training (default: the network\'s, 0.99); 0.9 suits short runs', floatArg('--bn-momentum', { min: 0, max: 0.9999 }))
    .option('--label-sigma <years>', 'dex head: Gaussian label distribution of this standard deviation around the true age instead of one-hot', floatArg('--label-sigma', { min: 0 }))
    .option('--weight-average <decay>', 'validate and save an exponential moving average of the weights (e.g. 0.999: about the last 1,000 steps; 0: off)', floatArg('--weight-average', { min: 0, max: 0.99999 }))
    .option('--teacher <name|labels.csv>', 'distil from a teacher: a relabel CSV (agekit relabel), or faceres, faceapi, a teacher JSON (labels the training set once into <out>/teacher-labels.csv)')
    .option('--distill-alpha <a>', 'with --teacher: weight of the teacher targets (1: teacher only, 0: ground truth only)', floatArg('--distill-alpha', { min: 0, max: 1 }), 0.5)
    .option('--temperature <T>', 'with --teacher: softening of the dex distributions', floatArg('--temperature', { min: 0.01 }), 1)
    .option('--decode-cache <MB>', `decoded images kept across epochs so each file is decoded once (0: off; default ${Math.round(defaultDecodeCacheBytes() / 2 ** 20)}, a quarter of memory up to 4096)`, (v: string) => parseDecodeCacheMb(v))
    .action(async (flags: TrainFlags, cmd: Command) => {
      if (!flags.out) throw new UsageError('is required', { where: '--out', hint: 'name the run folder, e.g. --out runs/mobilenet64' });
      const config = flags.resume ? await resumedConfig(cmd, flags) : configFromFlags(flags);
      const backend = await useTrainingBackend(config.backend);
      const train = await loadDataset(config.dataset);
      process.stderr.write(datasetSummary(train, 'train') + '\n');
      const val = await loadDataset(config.valDataset);
      process.stderr.write(datasetSummary(val, 'val') + '\n');
      const targets = await distillRunTargets({
        teacher: flags.teacher, alpha: flags.distillAlpha, temperature: flags.temperature, head: config.head, labelSigma: config.labelSigma, train, runDir: flags.out, resume: flags.resume,
        log: (line) => process.stderr.write(line + '\n'),
      });
      const result = await trainRun({
        config, outDir: flags.out, train, val, resume: flags.resume, backend, targets, decodeCacheBytes: flags.decodeCache,
        command: ['agekit', ...process.argv.slice(2)],
        log: (line) => process.stderr.write(line + '\n'),
        progress: (label, total) => {
          const p = createProgress(label, total, { plainEveryMs: 15_000 });
          return {
            update: (step, f) => p.update(step, { loss: f.loss, 'img/s': Number(f.imagesPerSecond.toFixed(1)) }),
            stop: () => p.stop(),
          };
        },
      });
      process.stdout.write(JSON.stringify({ out: result.outDir, best_val_mae: result.bestValMae, best_epoch: result.bestEpoch, epochs: result.epochs.length }) + '\n');
      process.stderr.write(`run folder ${result.outDir}: best/ (val MAE ${result.bestValMae.toFixed(3)} at epoch ${result.bestEpoch}), last/, metrics.jsonl, config.json\n`);
    });
}
