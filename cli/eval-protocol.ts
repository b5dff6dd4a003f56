/**
 * The seed protocol's additions to `agekit eval`: `--error-plot` (absolute and signed error by
 * true age, PNG) and `--corruptions` (MAE per corruption and severity, per group and overall, as
 * LFW+C, with a bar plot). Kept apart from eval.ts so that command stays small.
 *
 * @example
 * agekit eval --model runs/m64 --dataset lfwplus:/data/lfwplus --corruptions --json lfw.json --error-plot lfw-age.png
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Dataset } from '../host/data/dataset.ts';
import { CORRUPTION_NAMES, SEVERITIES, type CorruptionName, type Severity } from '../host/corruptions/corruption.ts';
import { parseCorruptionList, parseSeverityList } from '../host/corruptions/corruption-table.ts';
import type { AgePredictor } from '../host/eval/age-predictor.ts';
import type { EvalResult } from '../host/eval/evaluate.ts';
import { corruptionJson, evaluateCorruptions, formatCorruptionTable } from '../host/eval/protocol/corruption-eval.ts';
import { writeCorruptionBarPlot } from '../host/eval/protocol/corruption-bar-plot.ts';
import { writeErrorByAgePlot } from '../host/eval/protocol/error-by-age-plot.ts';
import { ADIENCE_AGE_GROUPS, ageToAdienceGroup, confusionMatrix, groupAccuracy } from '../host/eval/protocol/adience-accuracy.ts';
import { epsilonError } from '../host/eval/protocol/epsilon-error.ts';
import { flagParser } from './corrupt.ts';
import { intArg } from './options.ts';
import { createProgress } from './progress.ts';

export interface EvalProtocolFlags {
  json?: string;
  batch: number;
  errorPlot?: string;
  /** `true` when the flag is given without a list (all corruptions). */
  corruptions?: CorruptionName[] | true;
  severities: Severity[];
  corruptionPlot?: string;
  corruptionSeed: number;
}

/** Add the protocol flags to the eval command. */
export function addEvalProtocolOptions(cmd: Command): Command {
  return cmd
    .option('--error-plot <png>', 'write a PNG of the absolute and signed error by true age')
    .option('--corruptions [list]', `also measure MAE under corruptions: all (default) or a comma list of ${CORRUPTION_NAMES.join(', ')}`, flagParser(parseCorruptionList, '--corruptions'))
    .addOption(new Option('--severities <list>', 'severities for --corruptions, comma list of 1..5').argParser(flagParser(parseSeverityList, '--severities')).default([...SEVERITIES], '1,2,3,4,5'))
    .option('--corruption-plot <png>', 'bar plot of --corruptions (default: beside --json as <name>-corruptions.png, else ./corruptions.png)')
    .option('--corruption-seed <n>', 'seed of the random corruptions', intArg('--corruption-seed', { min: 0 }), 0);
}

/** Default path of the corruption bar plot. */
export function defaultCorruptionPlot(json: string | undefined): string {
  if (!json) return resolve('corruptions.png');
  return resolve(dirname(json), `${basename(json, extname(json))}-corruptions.png`);
}

/**
 * The dataset's own protocol metric, when its samples carry what it needs: the LAP epsilon-error
 * (APPA-REAL: every sample has an apparent-age std) and the Adience exact and 1-off accuracy with
 * the confusion matrix (every sample has an age group; a predicted age maps to the nearest group).
 */
export function datasetProtocolMetrics(result: EvalResult): { lines: string[]; json: Record<string, unknown> } {
  const lines: string[] = [];
  const json: Record<string, unknown> = {};
  const { samples, predictions, truths } = result;
  if (samples.length > 0 && samples.every((s) => s.ageStd !== undefined)) {
    const eps = epsilonError(predictions, truths, samples.map((s) => s.ageStd!));
    json.epsilon_error = eps;
    lines.push(`LAP epsilon-error ${eps.toFixed(4)} (n ${samples.length})`);
  }
  if (samples.length > 0 && samples.every((s) => s.ageGroup !== undefined)) {
    const pred = Array.from(predictions, ageToAdienceGroup);
    const truth = samples.map((s) => s.ageGroup!);
    const acc = groupAccuracy(pred, truth);
    const confusion = confusionMatrix(pred, truth, ADIENCE_AGE_GROUPS.length);
    json.adience = { exact: acc.exact, one_off: acc.oneOff, n: acc.n, confusion, mapping: 'predicted age -> nearest Adience group' };
    lines.push(`Adience groups (predicted age -> nearest group): exact ${(100 * acc.exact).toFixed(1)}%  1-off ${(100 * acc.oneOff).toFixed(1)}% (n ${acc.n})`);
  }
  return { lines, json };
}

/**
 * Run what the protocol flags ask for after the clean evaluation, plus the dataset's own protocol
 * metric (see datasetProtocolMetrics); tables go to stdout, status to stderr. Returns fields to
 * add to the JSON report (`epsilon_error`, `adience`, `corruptions`, `error_plot`).
 */
export async function runEvalProtocol(flags: EvalProtocolFlags, result: EvalResult, predictor: AgePredictor, dataset: Dataset): Promise<Record<string, unknown>> {
  const own = datasetProtocolMetrics(result);
  if (own.lines.length) process.stdout.write(own.lines.join('\n') + '\n');
  const extra: Record<string, unknown> = { ...own.json };
  const title = `${predictor.meta.net} on ${dataset.spec}`;
  if (flags.errorPlot) {
    await writeErrorByAgePlot(result.predictions, result.truths, flags.errorPlot, title);
    extra.error_plot = resolve(flags.errorPlot);
    process.stderr.write(`error-by-age plot written to ${flags.errorPlot}\n`);
  }
  if (flags.corruptions) {
    const corruptions = flags.corruptions === true ? [...CORRUPTION_NAMES] : flags.corruptions;
    const conditions = 1 + corruptions.length * flags.severities.length;
    const progress = createProgress(`corruptions (${conditions} conditions)`, conditions * dataset.samples.length);
    const r = await evaluateCorruptions(predictor, dataset, {
      corruptions, severities: flags.severities, seed: flags.corruptionSeed, batchSize: flags.batch,
      onProgress: (done, _total, condition) => progress.update(done, { now: condition }),
    });
    progress.stop();
    process.stdout.write(formatCorruptionTable(r));
    const plot = flags.corruptionPlot ? resolve(flags.corruptionPlot) : defaultCorruptionPlot(flags.json);
    await writeCorruptionBarPlot(r, plot, title);
    process.stderr.write(`corruption bar plot written to ${plot}\n`);
    extra.corruptions = { ...corruptionJson(r), plot };
  }
  return extra;
}

