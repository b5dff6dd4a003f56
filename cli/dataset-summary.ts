/**
 * One status line per loaded dataset for the train, eval and predict commands: how many samples
 * are usable and what was skipped, why, with the first paths of each reason.
 *
 * @example
 * process.stderr.write(datasetSummary(ds) + '\n'); // "utkface:...:split=val: 2843 samples; skipped 0"
 */
import type { Dataset } from '../host/data/dataset.ts';

/** A short human summary of a loaded dataset (one line, plus one line per skip reason). */
export function datasetSummary(ds: Dataset, label = 'dataset'): string {
  const reasons = Object.entries(ds.skipped.counts);
  const skipped = reasons.reduce((a, [, n]) => a + n, 0);
  const lines = [`${label} ${ds.spec}: ${ds.samples.length} samples; skipped ${skipped}`];
  for (const [reason, n] of reasons) lines.push(`  skipped ${n}: ${reason} (e.g. ${(ds.skipped.examples[reason] ?? []).slice(0, 3).join(', ')})`);
  return lines.join('\n');
}
