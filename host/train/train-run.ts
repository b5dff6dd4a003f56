/**
 * The training run behind `agekit train`: builds (or resumes) the model, runs the epochs with
 * the step schedule, validates after each epoch, and keeps the run folder up to date (see
 * run-folder.ts). Library code: it never reads argv or writes to stdout; status goes to `log`.
 *
 * @example
 * const result = await trainRun({ config, outDir: 'runs/a', train, val, command: process.argv.slice(1) });
 * console.log(result.bestValMae);
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { DEFAULT_CROP, type CropSpec } from '../../core/contract/face-crop.ts';
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import type { Dataset } from '../data/dataset.ts';
import { MIN_SAMPLES_FOR_WORKERS } from '../data/batch-stream.ts';
import { CropWorkerPool, defaultCropWorkers } from '../data/crop-worker-pool.ts';
import { DecodedImageCache, defaultDecodeCacheBytes, type DecodedImageCacheStats } from '../data/decoded-image-cache.ts';
import { buildNet, loadPretrained, parsePretraining } from '../nets/index.ts';
import { BEST_DIR, LAST_DIR, loadCheckpoint, readCheckpointMetadata, resolveCheckpointDir, saveCheckpoint } from '../checkpoint/checkpoint.ts';
import { readableDir, recoverDir, removeStaleTempDirs } from '../../core/atomic-dir.ts';
import { removeStaleTempFiles } from '../../core/atomic-file.ts';
import { tfjsAgePredictor } from '../eval/age-predictor.ts';
import { evaluateAgePredictor } from '../eval/evaluate.ts';
import { formatLrSchedule, learningRateAt } from './lr-schedule.ts';
import { createOptimizer, optimizerStateFiles, restoreOptimizerState, setLearningRate } from './optimizer.ts';
import { readMetrics, readRunConfig, readTrainState, writeMetrics, writeRunConfig, TRAIN_STATE_FILE, type EpochRecord, type TrainState } from './run-folder.ts';
import { dexTargets, groundTruthTargets, type TargetProvider } from './targets.ts';
import { createTrainStep } from './train-step.ts';
import { registerBatchNormGradient } from './batch-norm-gradient.ts';
import { initHeadPrior } from './head-prior.ts';
import { lockRunFolder } from './run-lock.ts';
import { WeightAverage } from './weight-average.ts';
import type { TrainConfig } from './train-config.ts';
import { AGEKIT_VERSION } from '../../core/version.ts';
import { trainEpoch } from './train-epoch.ts';

/** Progress of the steps of one epoch (the CLI shows a bar; tests pass nothing). */
export interface EpochProgress {
  update(step: number, fields: { loss: number; imagesPerSecond: number }): void;
  stop(): void;
}

export interface TrainRunOptions {
  config: TrainConfig;
  /** The run folder. */
  outDir: string;
  /** Loaded training and validation data (specs in `config`). */
  train: Dataset;
  val: Dataset;
  /** The command line, recorded in config.json. */
  command?: string[];
  /** Continue the run in `outDir` from its last completed epoch. Default false. */
  resume?: boolean;
  /** Targets and loss; default the ground truth of the head. Distillation passes its own. */
  targets?: TargetProvider;
  /** Backend description recorded in config.json. */
  backend?: string;
  /** Status lines (what was loaded, each epoch's summary). Default: none. */
  log?: (line: string) => void;
  /** Creates the progress display of an epoch: `total` steps, `label` like `epoch 3/30`. */
  progress?: (label: string, total: number) => EpochProgress;
  /** Called after each completed epoch, once its files are written. */
  onEpoch?: (record: EpochRecord) => void;
  /** Stop after this epoch even if config.epochs is larger (tests of resume). */
  stopAfterEpoch?: number;
  /** Set the head's bias to the label prior on a fresh run. Default true; fine-tuning keeps the pretrained head (false). */
  headPrior?: boolean;
  /**
   * Bytes of decoded images kept across epochs (DecodedImageCache), so each file is read and
   * decoded once per run instead of once per epoch. Default defaultDecodeCacheBytes(); 0: none.
   */
  decodeCacheBytes?: number;
  /** Crop worker threads for the run's one pool. Default defaultCropWorkers(), none (this thread) below MIN_SAMPLES_FOR_WORKERS samples. */
  cropWorkers?: number;
}

export interface TrainRunResult {
  outDir: string;
  epochs: EpochRecord[];
  /** Lowest validation MAE and its epoch (from best/). */
  bestValMae: number;
  bestEpoch: number;
}

/** The crop recorded in the model's metadata: `--crop-margin`, else the dataset's, else the default. */
function cropOf(config: TrainConfig, train: Dataset): CropSpec {
  if (config.cropMargin !== undefined) return { margin: config.cropMargin, square: true };
  return train.crop ?? DEFAULT_CROP;
}

function metadataFor(config: TrainConfig, model: tf.LayersModel, crop: CropSpec, training: Record<string, unknown>): ModelMetadata {
  const shape = model.inputs[0].shape;
  return {
    format: METADATA_FORMAT, version: METADATA_VERSION, net: config.net,
    inputSize: [shape[1] as number, shape[2] as number],
    preprocessing: config.preprocessing, head: config.head, readout: defaultReadout(config.head), crop, training,
  };
}

/** One epoch's use of the decoded-image cache, for the epoch's log line. */
function describeCacheEpoch(before: DecodedImageCacheStats, after: DecodedImageCacheStats): string {
  const lookups = after.hits + after.misses - before.hits - before.misses;
  const hits = after.hits - before.hits;
  const share = lookups > 0 ? Math.round((100 * hits) / lookups) : 0;
  return `cache ${share}% hits, ${after.images} images ${Math.round(after.bytes / 2 ** 20)} MB${after.full ? ' (full)' : ''}`;
}

/** Set the moving-average momentum of every BatchNormalization layer. @returns how many */
export function setBatchNormMomentum(model: tf.LayersModel, momentum: number): number {
  let n = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'BatchNormalization') { (layer as unknown as { momentum: number }).momentum = momentum; n++; }
  }
  return n;
}

const SAME_RUN_KEYS: (keyof TrainConfig)[] = ['net', 'head', 'preprocessing', 'optimizer', 'inputSize'];

/** Train (or resume) a run; resolves when `config.epochs` epochs are complete. */
export async function trainRun(o: TrainRunOptions): Promise<TrainRunResult> {
  await mkdir(o.outDir, { recursive: true });
  // Taken before anything in the folder is touched: a second trainer must not even clean its temp dirs.
  const release = await lockRunFolder(o.outDir, o.log);
  try {
    return await trainLockedRun(o);
  } finally {
    await release();
  }
}

async function trainLockedRun(o: TrainRunOptions): Promise<TrainRunResult> {
  const log = o.log ?? (() => {});
  const { outDir } = o;
  let config = o.config;
  await removeStaleTempDirs(outDir);
  await removeStaleTempFiles(outDir);
  const existing = await readRunConfig(outDir);
  const targets = o.targets ?? (config.head === 'dex' && config.labelSigma ? dexTargets({ labelSigma: config.labelSigma }) : groundTruthTargets(config.head));
  const crop = cropOf(config, o.train);

  let model: tf.LayersModel;
  let average: WeightAverage | undefined;
  let startEpoch = 0;
  let globalStep = 0;
  let records: EpochRecord[] = [];
  let bestValMae = Infinity, bestEpoch = 0;
  const optimizer = createOptimizer({ optimizer: config.optimizer, learningRate: learningRateAt(config.lr, 1), momentum: config.momentum });

  if (o.resume) {
    if (!existing) throw new UsageError('has no config.json: there is no run to resume', { where: outDir, hint: 'drop --resume to start a new run here' });
    for (const k of SAME_RUN_KEYS) {
      if (JSON.stringify(existing.config[k]) !== JSON.stringify(config[k])) {
        throw new UsageError(`the run was started with ${k} ${JSON.stringify(existing.config[k])}, not ${JSON.stringify(config[k])}`, { where: outDir, hint: `resume with the same ${k}, or start a new run in another --out` });
      }
    }
    await recoverDir(join(outDir, BEST_DIR));
    const hasLast = await recoverDir(join(outDir, LAST_DIR));
    if (hasLast) {
      // The state first: a bad one is reported before minutes of model loading.
      const state = await readTrainState(await readableDir(join(outDir, LAST_DIR)) ?? join(outDir, LAST_DIR));
      const last = await loadCheckpoint(join(outDir, LAST_DIR));
      model = last.model;
      startEpoch = state.epoch;
      globalStep = state.globalStep;
      // last/'s model files hold the average; the raw weights the optimizer continues are beside them.
      if (config.weightAverage) average = await WeightAverage.resume(model, last.dir, config.weightAverage, state.weightAverageUpdates ?? 0);
      // The optimizer's slots are created by its first update; restoring sets them directly.
      await restoreOptimizerState(optimizer, last.dir);
      try {
        const bestMeta = await readCheckpointMetadata(join(outDir, BEST_DIR));
        const t = bestMeta.training ?? {};
        if (typeof t.val_mae === 'number') { bestValMae = t.val_mae; bestEpoch = Number(t.epoch) || 0; }
      } catch { /* no best/ yet */ }
      // Epochs after the last checkpoint were not finished (killed between files): redo them.
      records = (await readMetrics(outDir)).filter((r) => r.epoch <= startEpoch);
      log(`resuming ${outDir} after epoch ${startEpoch} (step ${globalStep}, best val MAE ${bestValMae.toFixed(3)} at epoch ${bestEpoch})`);
    } else {
      log(`${outDir}: no completed epoch yet, starting from epoch 1`);
      model = buildNet(config.net, { head: config.head, inputSize: config.inputSize, seed: config.seed });
    }
  } else {
    if (existing) throw new UsageError('already holds a run (config.json)', { where: outDir, hint: 'pass --resume to continue it, or choose another --out' });
    model = buildNet(config.net, { head: config.head, inputSize: config.inputSize, seed: config.seed });
  }

  if (config.bnMomentum !== undefined) {
    const n = setBatchNormMomentum(model, config.bnMomentum);
    log(`batch-norm momentum ${config.bnMomentum} on ${n} layers`);
  }
  const fresh = startEpoch === 0;
  if (config.weightAverage) {
    average ??= new WeightAverage(model, config.weightAverage);
    log(`weight average: decay ${config.weightAverage} (about the last ${Math.round(1 / (1 - config.weightAverage))} steps); validation and checkpoints use it`);
  }
  if (fresh) {
    const pre = parsePretraining(config.pretraining);
    // A head loaded from the pretrained model keeps its learnt biases; only a fresh head starts at the prior.
    let headLoaded = false;
    if (pre.kind === 'path') {
      // An agekit run or checkpoint folder works too: its model.json is the tfjs layers file.
      const from = await resolveCheckpointDir(pre.path).catch(() => pre.path);
      const p = await loadPretrained(model, from);
      log(`pretraining ${p.file}: ${p.loadedLayers} layers (${p.loadedParams} weights) loaded${p.freshHeadLayers.length ? `, fresh head: ${p.freshHeadLayers.join(', ')}` : ''}`);
      headLoaded = p.freshHeadLayers.length === 0;
    }
    const ages = o.train.samples.map((s) => s.age).filter((a): a is number => a !== undefined && Number.isFinite(a));
    const prior = o.headPrior === false || headLoaded ? undefined : initHeadPrior(model, config.head, ages);
    if (prior) log(`head initialised: ${prior}`);
    await writeRunConfig(outDir, {
      command: o.command ?? [], config, targets: { id: targets.id, ...targets.describe() }, startedAt: new Date().toISOString(), backend: o.backend,
      agekitVersion: AGEKIT_VERSION,
    });
    await writeMetrics(outDir, []);
  } else if (config.epochs !== existing!.config.epochs) {
    await writeRunConfig(outDir, { ...existing!, config: { ...existing!.config, epochs: config.epochs } });
  }
  if (targets.needsAges) {
    const unlabelled = o.train.samples.find((s) => s.age === undefined);
    if (unlabelled) throw new UsageError(`training sample has no age (${unlabelled.path})`, { where: config.dataset, hint: `the ${targets.id} targets need labels; use a labelled dataset or a teacher` });
  }
  if (o.train.samples.length < config.batchSize) {
    throw new UsageError(`has ${o.train.samples.length} samples, fewer than one batch of ${config.batchSize}`, { where: config.dataset, hint: 'use a larger dataset or a smaller --batch' });
  }

  const [h, w] = model.inputs[0].shape.slice(1, 3) as [number, number];
  registerBatchNormGradient();
  const step = createTrainStep({ model, optimizer, targets, weightDecay: config.weightDecay });
  const lastEpoch = Math.min(config.epochs, o.stopAfterEpoch ?? Infinity);
  const stepsPerPass = Math.floor(o.train.samples.length / config.batchSize);
  const stepsPerEpoch = config.maxStepsPerEpoch > 0 ? Math.min(config.maxStepsPerEpoch, stepsPerPass) : stepsPerPass;
  log(`training ${config.net} (${config.head}, input ${h}x${w}) on ${o.train.samples.length} images, validating on ${o.val.samples.length}; ${stepsPerEpoch} steps of ${config.batchSize} per epoch, lr ${formatLrSchedule(config.lr)}, ${config.optimizer}`);

  // One pool for the whole run: workers start once, and its cache keeps decoded images across epochs.
  const cacheBytes = o.decodeCacheBytes ?? defaultDecodeCacheBytes();
  const cache = cacheBytes > 0 ? new DecodedImageCache(cacheBytes) : undefined;
  const workers = o.cropWorkers ?? (o.train.samples.length >= MIN_SAMPLES_FOR_WORKERS ? defaultCropWorkers() : 0);
  const pool = new CropWorkerPool(workers, { decodeCache: cache });
  log(`input: ${pool.size} crop worker(s), ${cache ? `decoded-image cache up to ${Math.round(cacheBytes / 2 ** 20)} MB (--decode-cache)` : 'no decoded-image cache (every image is decoded every epoch)'}`);
  try {
    for (let epoch = startEpoch + 1; epoch <= lastEpoch; epoch++) {
      const t0 = performance.now();
      const cacheBefore = cache?.stats();
      const lr = learningRateAt(config.lr, epoch);
      setLearningRate(optimizer, lr);
      const progress = o.progress?.(`epoch ${epoch}/${config.epochs}`, stepsPerEpoch);
      const { steps, meanLoss, images, seconds: trainSeconds } = await trainEpoch({
        dataset: o.train, step, steps: stepsPerEpoch, label: `epoch ${epoch}`,
        batches: { inputSize: [h, w], preprocessing: config.preprocessing, augmentation: config.augmentation, boxJitter: config.boxJitter, batchSize: config.batchSize, seed: config.seed * 100_003 + epoch, crop, pool },
        afterStep: average ? () => average.update(model) : undefined,
        onStep: (done, loss, imagesPerSecond) => progress?.update(done, { loss, imagesPerSecond }),
        diverged: { where: '--lr', hint: `lower the learning rate (now ${lr}); the last good checkpoint is in ${join(outDir, LAST_DIR)}` },
      });
      globalStep += steps;
      progress?.stop();

      // With a weight average, validation and both checkpoints' model files hold the average.
      const withEvaluatedWeights = <T>(fn: () => Promise<T>): Promise<T> => (average ? average.applied(model, fn) : fn());
      const predictor = tfjsAgePredictor(model, metadataFor(config, model, crop, {}), { keepModel: true });
      const val = await withEvaluatedWeights(() => evaluateAgePredictor(predictor, o.val, { batchSize: Math.max(config.batchSize, 32), pool }));
      const isBest = val.metrics.mae < bestValMae;
      const record: EpochRecord = {
        epoch, loss: meanLoss, val_mae: val.metrics.mae, val_mse: val.metrics.mse, val_bias: val.metrics.bias,
        val_by_decade: val.metrics.byDecade.map((d) => ({ decade: d.decade, n: d.n, mae: d.mae, bias: d.bias })),
        lr, images_per_second: images / trainSeconds, seconds: 0, steps, best: isBest,
      };
      const training = {
        epoch, dataset: config.dataset, val_dataset: config.valDataset, train_samples: o.train.samples.length, val_samples: o.val.samples.length,
        val_mae: val.metrics.mae, val_mse: val.metrics.mse, val_bias: val.metrics.bias, loss: record.loss, targets: targets.id,
        command: o.command ?? [],
      };
      const meta = metadataFor(config, model, crop, training);
      // Order matters for resume: best/ first, then metrics, then last/ (which says the epoch is done).
      if (isBest) {
        bestValMae = val.metrics.mae; bestEpoch = epoch;
        await withEvaluatedWeights(() => saveCheckpoint(join(outDir, BEST_DIR), model, meta));
      }
      record.seconds = (performance.now() - t0) / 1000;
      records.push(record);
      await writeMetrics(outDir, records);
      const state: TrainState = { epoch, globalStep, ...(average ? { weightAverageUpdates: average.updates } : {}) };
      const resumeFiles = { ...(await optimizerStateFiles(optimizer)), ...(average ? await WeightAverage.trainingWeightFiles(model) : {}), [TRAIN_STATE_FILE]: JSON.stringify(state) };
      await withEvaluatedWeights(() => saveCheckpoint(join(outDir, LAST_DIR), model, meta, resumeFiles));
      log(`epoch ${epoch}/${config.epochs}: loss ${record.loss.toFixed(3)}  val MAE ${record.val_mae.toFixed(3)}${isBest ? ' (best)' : ''}  lr ${lr}  ${record.images_per_second.toFixed(1)} img/s  ${record.seconds.toFixed(1)} s${cache ? `  ${describeCacheEpoch(cacheBefore!, cache.stats())}` : ''}`);
      log(`  val signed error by decade: ${val.metrics.byDecade.map((d) => `${d.decade} ${d.bias >= 0 ? '+' : ''}${d.bias.toFixed(1)}`).join(', ')}`);
      o.onEpoch?.(record);
    }
  } finally {
    await pool.close();
  }
  model.dispose();
  optimizer.dispose();
  return { outDir, epochs: records, bestValMae, bestEpoch };
}
