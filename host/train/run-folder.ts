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
import { UsageError } from '../../core/errors.ts';
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
