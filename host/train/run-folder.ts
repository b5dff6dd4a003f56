/**
 * The run folder of `agekit train`:
 *   config.json     the command line and the resolved settings
 *   metrics.jsonl   one JSON object per completed epoch
 *   best/           checkpoint with the lowest validation MAE so far
 *   last/           checkpoint of the last completed epoch + optimizer state (for --resume)
 * Every file is replaced atomically; metrics.jsonl is rewritten whole (it is small), so a kill
 * never leaves half a line.
 *
 * @example
 * await writeMetrics('runs/a', [...await readMetrics('runs/a'), record]);
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { DataError, UsageError } from '../../core/errors.ts';
import type { TrainConfig } from './train-config.ts';

export const CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.jsonl';
/** In last/: which epoch it holds and the step count, for resume. */
export const TRAIN_STATE_FILE = 'train-state.json';

/** One line of metrics.jsonl (snake_case: a wire format read by other tools). */
export interface EpochRecord {
  epoch: number;
  /** Mean training data loss over the epoch (without the L2 term). */
  loss: number;
  val_mae: number;
  val_mse: number;
  val_bias: number;
  /** Validation MAE and signed error (prediction - truth) per decade of true age; absent in runs written before it existed. */
  val_by_decade?: { decade: string; n: number; mae: number; bias: number }[];
  lr: number;
  /** Training images per second (training steps including input waits, not validation). */
  images_per_second: number;
  /** Wall time of the epoch including validation and checkpoints. */
  seconds: number;
  steps: number;
  /** True when this epoch became best/. */
  best: boolean;
}

export interface RunConfigFile {
  /** The full command line, argv after `node`. */
  command: string[];
  config: TrainConfig;
  /** Target provider settings (loss, targets). */
  targets: Record<string, unknown>;
  startedAt: string;
  /** Backend of the first session (a resumed run may use another). */
  backend?: string;
  agekitVersion?: string;
}

export interface TrainState {
  /** Last completed epoch (1-based). */
  epoch: number;
  /** Optimizer steps done in total. */
  globalStep: number;
  /** Updates folded into the weight average (runs with config.weightAverage). */
  weightAverageUpdates?: number;
}

/**
 * Read and check `last/train-state.json` for `train --resume`: it must exist, be JSON, and hold a
 * completed epoch >= 1, a step count of at least one per epoch and at most that many weight-average
 * updates. A file that fails says which file and what to do, instead of a crash (missing, cut) or
 * a silent rewrite of metrics.jsonl (a tampered epoch -7).
 */
export async function readTrainState(lastDir: string): Promise<TrainState> {
  const path = join(lastDir, TRAIN_STATE_FILE);
  const hint = `delete ${lastDir} to train again from epoch 1 in this folder (best/ and metrics.jsonl stay), or start a new run with another --out`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'the resume state is missing: last/ is incomplete' : `the resume state cannot be read (${code})`, { where: path, hint });
  }
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new DataError(`the resume state is not valid JSON (${(err as Error).message})`, { where: path, hint });
  }
  const bad = (field: string, why: string): never => {
    throw new DataError(`the resume state is not one agekit wrote: ${field} ${JSON.stringify(v?.[field])} ${why}`, { where: path, hint });
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DataError('the resume state is not a JSON object', { where: path, hint });
  if (!Number.isInteger(v.epoch) || (v.epoch as number) < 1) bad('epoch', 'is not a completed epoch (an integer >= 1)');
  if (!Number.isInteger(v.globalStep) || (v.globalStep as number) < (v.epoch as number)) bad('globalStep', `is not an integer >= epoch ${v.epoch as number} (every epoch takes steps)`);
  if (v.weightAverageUpdates !== undefined && (!Number.isInteger(v.weightAverageUpdates) || (v.weightAverageUpdates as number) < 0 || (v.weightAverageUpdates as number) > (v.globalStep as number))) {
    bad('weightAverageUpdates', `is not an integer in 0..globalStep ${v.globalStep as number}`);
  }
  return { epoch: v.epoch as number, globalStep: v.globalStep as number, ...(v.weightAverageUpdates !== undefined ? { weightAverageUpdates: v.weightAverageUpdates as number } : {}) };
}

export async function writeRunConfig(dir: string, c: RunConfigFile): Promise<void> {
  await writeFileAtomic(join(dir, CONFIG_FILE), JSON.stringify(c, null, 2) + '\n');
}

/** Read config.json of a run folder; undefined when there is none. */
export async function readRunConfig(dir: string): Promise<RunConfigFile | undefined> {
  let text: string;
  try { text = await readFile(join(dir, CONFIG_FILE), 'utf8'); } catch { return undefined; }
  try {
    return JSON.parse(text) as RunConfigFile;
  } catch (err) {
    throw new UsageError(`is not valid JSON (${(err as Error).message})`, { where: join(dir, CONFIG_FILE), hint: 'this run folder is damaged; start a new run in another --out' });
  }
}

/** The epoch records of a run, in order (an empty list for a new run). */
export async function readMetrics(dir: string): Promise<EpochRecord[]> {
  let text: string;
  try { text = await readFile(join(dir, METRICS_FILE), 'utf8'); } catch { return []; }
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EpochRecord);
}

/** Replace metrics.jsonl with these records. */
export async function writeMetrics(dir: string, records: EpochRecord[]): Promise<void> {
  await writeFileAtomic(join(dir, METRICS_FILE), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
}
