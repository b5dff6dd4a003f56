/**
 * The report of `agekit calibrate ages`: held-apart MAE and signed error (prediction - truth)
 * per true-age decade, before and after the calibration, as a text table and as JSON.
 *
 * @example
 * process.stdout.write(formatCalibrationTable(fit));
 */
import type { AgeMetrics } from '../host/eval/metrics.ts';
import type { AgeCalibrationFit } from './fit-age-calibration.ts';

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const signed = (v: number) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toFixed(2) : '-');

/** Table: one row per decade of the true age, then `all`; columns n, MAE and signed error before/after. */
export function formatCalibrationTable(fit: AgeCalibrationFit): string {
  const rows: string[][] = [['decade', 'n', 'mae_before', 'mae_after', 'signed_before', 'signed_after']];
  const after = new Map(fit.after.byDecade.map((d) => [d.decade, d]));
  for (const d of fit.before.byDecade) {
    const a = after.get(d.decade)!;
    rows.push([d.decade, String(d.n), f2(d.mae), f2(a.mae), signed(d.bias), signed(a.bias)]);
  }
  rows.push(['all', String(fit.before.n), f2(fit.before.mae), f2(fit.after.mae), signed(fit.before.bias), signed(fit.after.bias)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
  const head = `# calibration ${fit.chosen} (candidates: ${fit.candidates.map((c) => `${c.kind} MAE ${f2(c.heldApartMae)}`).join(', ')}); fitted on ${fit.nFit} faces, scored on ${fit.nHeldApart} held-apart faces`;
  return [head, ...lines].join('\n') + '\n';
}

function metricsJson(m: AgeMetrics): Record<string, unknown> {
  return { n: m.n, mae: m.mae, bias: m.bias, by_decade: m.byDecade.map((d) => ({ decade: d.decade, n: d.n, mae: d.mae, signed_error: d.bias })) };
}

/** The report as JSON (snake_case wire format, like agekit eval --json). */
export function calibrationJson(fit: AgeCalibrationFit, model: string, dataset: string, written?: string): Record<string, unknown> {
  return {
    model, dataset, written_to: written, chosen: fit.chosen,
    candidates: fit.candidates.map((c) => ({ kind: c.kind, held_apart_mae: c.heldApartMae })),
    n_fit: fit.nFit, n_held_apart: fit.nHeldApart,
    before: metricsJson(fit.before), after: metricsJson(fit.after), calibration: fit.calibration,
  };
}
