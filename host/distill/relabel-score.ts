/**
 * How good the labels in a relabel file are: the teacher's age against the ground truth on the
 * rows that have one (the rest are unlabelled faces and are not scored).
 *
 * @example
 * const s = await scoreRelabelFile('/work/runs/relabel-faceres-utkface.csv', 'val'); // { n, mae, bias, byDecade }
 */
import { loadDataset } from '../data/load-dataset.ts';
import { ageMetrics, type AgeMetrics } from '../eval/metrics.ts';

/** Metrics of the teacher ages of a relabel file against its ground truth, optionally in one split; undefined when no row has an age. */
export async function scoreRelabelFile(file: string, split?: string): Promise<AgeMetrics | undefined> {
  const ds = await loadDataset(`relabel:${file}`);
  const rows = ds.samples.filter((s) => s.age !== undefined && (split === undefined || s.split === split));
  if (rows.length === 0) return undefined;
  return ageMetrics(Float32Array.from(rows, (s) => s.teacherAge!), Float32Array.from(rows, (s) => s.age!));
}
