/**
 * What `agekit train --teacher ... --distill-alpha a --temperature T` adds to a run: teacher
 * labels attached to the training samples (computed once, cached in the run folder), and the
 * distillation TargetProvider. A resumed run must name the same teacher, alpha and T as the one
 * it continues (recorded in config.json): switching targets silently would be a wrong answer.
 *
 * @example
 * const targets = await distillRunTargets({ teacher: 'faceres', alpha: 0.5, temperature: 2, head: 'dex', train, runDir: 'runs/kd' });
 */
import type { HeadType } from '../../core/contract/model-metadata.ts';
import { UsageError } from '../../core/errors.ts';
import type { Dataset } from '../data/dataset.ts';
import type { TargetProvider } from '../train/targets.ts';
import { readRunConfig } from '../train/run-folder.ts';
import { distillTargets } from './distill-targets.ts';
import { attachTeacherLabels } from './teacher-labels.ts';

export interface DistillRunOptions {
  /** `--teacher`: a relabel CSV, or a teacher name / descriptor JSON; undefined = no distillation. */
  teacher?: string;
  alpha: number;
  temperature: number;
  head: HeadType;
  /** `--label-sigma`: the Gaussian of the ground-truth part (dex head). */
  labelSigma?: number;
  train: Dataset;
  runDir: string;
  /** True when the run is resumed (its config.json is checked against these settings). */
  resume?: boolean;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/** The run's TargetProvider when distilling, undefined otherwise (ground truth). */
export async function distillRunTargets(o: DistillRunOptions): Promise<TargetProvider | undefined> {
  if (o.resume) {
    const saved = (await readRunConfig(o.runDir))?.targets ?? {};
    const wasDistill = typeof saved.id === 'string' && saved.id.startsWith('distill');
    const same = wasDistill && o.teacher !== undefined && saved.alpha === o.alpha && saved.temperature === o.temperature;
    if (wasDistill !== (o.teacher !== undefined) || (wasDistill && !same)) {
      const was = wasDistill ? `--teacher ${String(saved.teacher ?? '?')} --distill-alpha ${saved.alpha} --temperature ${saved.temperature}` : 'ground-truth targets (no --teacher)';
      throw new UsageError(`the run was started with ${was}`, { where: '--teacher', hint: 'resume with the same distillation flags, or start a new run in another --out' });
    }
  }
  if (o.teacher === undefined) return undefined;
  const info = await attachTeacherLabels({ teacher: o.teacher, train: o.train, runDir: o.runDir, log: o.log, onProgress: o.onProgress });
  o.log?.(`distillation: ${info.labelled} training faces labelled by ${info.teacher} (${info.file}); alpha ${o.alpha}, temperature ${o.temperature}`);
  return distillTargets({ head: o.head, alpha: o.alpha, temperature: o.temperature, labelSigma: o.labelSigma, teacherFirstAge: info.firstAge, source: o.teacher });
}
