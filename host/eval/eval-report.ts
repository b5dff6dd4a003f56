/**
 * What `agekit eval` prints and writes: a plain-text table of the metrics (stdout) and the JSON
 * report (`--json`: n, mae, mse, bias, by_decade, share_abs_error_at_least, images/s, model).
 *
 * @example
 * process.stdout.write(formatEvalTable(result));
 * await writeFileAtomic('val.json', JSON.stringify(evalJson(result, predictor.name, spec), null, 2));
 */
import { metricsToJson } from './metrics.ts';
import type { EvalResult } from './evaluate.ts';

/** The metrics as an aligned text table. */
export function formatEvalTable(r: EvalResult): string {
  const m = r.metrics;
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const lines = [
    `n ${m.n}  MAE ${f(m.mae)}  MSE ${f(m.mse)}  bias (pred - true) ${f(m.bias, 3)}`,
    `images/s ${f(r.imagesPerSecond, 1)} (model)  ${f(r.pipelineImagesPerSecond, 1)} (with decoding)`,
    '',
    'decade      n      MAE     bias',
    ...m.byDecade.map((d) => `${d.decade.padEnd(8)}${String(d.n).padStart(5)}${f(d.mae, 2).padStart(9)}${f(d.bias, 2).padStart(9)}`),
    '',
    '|error| >= t years: ' + m.shareAbsErrorAtLeast.map((s) => `${s.years}: ${(100 * s.share).toFixed(1)}%`).join('  '),
  ];
  return lines.join('\n') + '\n';
}

/** The JSON report of an evaluation. */
export function evalJson(r: EvalResult, model: string, dataset: string): Record<string, unknown> {
  return {
    model, dataset,
    ...metricsToJson(r.metrics),
    images_per_second: r.imagesPerSecond,
    pipeline_images_per_second: r.pipelineImagesPerSecond,
    seconds: r.seconds,
    skipped: r.skipped,
  };
}
