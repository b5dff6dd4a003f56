/**
 * The text `agekit bench` prints: one row per configuration with each stage's median ms and its
 * share of the frame, FPS, and then the ratios between runtimes measured in the same run.
 *
 * @example
 * process.stdout.write(formatBenchTable(results) + '\n\n' + formatRuntimeRatios(results) + '\n');
 */
import { BENCH_STAGES, type BenchResult, type BenchStageName } from './run-bench.ts';

const STAGE_LABELS: Record<BenchStageName, string> = {
  capture: 'capture', detect_input: 'det.input', detect_infer: 'det.infer', detect_decode: 'det.decode',
  crop: 'crop', estimate: 'estimate', track: 'track',
};

/** Short label of what ran the detector, for the table (the JSON has the full text). */
export function shortAccelerator(r: Pick<BenchResult, 'runtime' | 'accelerator'>): string {
  if (r.runtime === 'tfjs') return 'tfjs-wasm';
  if (r.runtime === 'tflite-wasm') return 'wasm-simd';
  if (r.accelerator.startsWith('xnnpack')) return 'xnnpack';
  if (r.accelerator.startsWith('builtin')) return 'builtin';
  return 'delegate';
}

function alignRows(rows: string[][], leftColumns: number): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c < leftColumns ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** Per configuration: median ms and share (of the mean frame time) of every stage, total, FPS. */
export function formatBenchTable(results: BenchResult[]): string {
  const rows = [['runtime', 'threads', 'ops on', 'model', 'faces/frame', ...BENCH_STAGES.map((s) => `${STAGE_LABELS[s]} ms`), 'total ms', 'best ms', 'FPS', 'FPS p50', 'CPU ms', 'FPS/CPU', 'vs first']];
  for (const r of results) {
    rows.push([
      r.runtime, String(r.threads), shortAccelerator(r), r.model ? r.model.split('/').pop()! : '(detector only)', r.faces_per_frame.toFixed(2),
      ...BENCH_STAGES.map((s) => `${r.stages[s].p50_ms.toFixed(2)} ${`${Math.round(100 * r.stages[s].share)}%`.padStart(3)}`),
      r.stages.total.p50_ms.toFixed(2), r.stages.total.min_ms.toFixed(2), r.fps.toFixed(1), r.fps_p50.toFixed(1), r.cpu_ms.toFixed(2), r.fps_cpu.toFixed(1), `${(r.ratio_to_baseline ?? 1).toFixed(2)}x`,
    ]);
  }
  return alignRows(rows, 4) + '\n(stage cells: median ms and share of the mean frame time; total: median; best: the fastest frame. FPS: from the mean frame time; FPS p50: from the median;'
    + '\n CPU ms: process CPU time per frame, all threads; FPS/CPU = 1000 / CPU ms: time spent waiting for a busy core is not in it, cache and memory contention still are)';
}

/**
 * Ratios between runtimes: each row's detector inference, estimation and whole frame against
 * the native TFLite row on XNNPACK with the same thread count (1 when the other runtime is
 * single-threaded), so a ratio compares runtimes, not thread counts.
 */
export function formatRuntimeRatios(results: BenchResult[]): string {
  const native = results.filter((r) => r.runtime === 'tflite' && shortAccelerator(r) === 'xnnpack');
  if (!native.length) return 'ratios: no native TFLite row on XNNPACK to compare with';
  const rows = [['runtime', 'threads', 'ops on', 'vs native xnnpack', 'det.infer', 'estimate', 'frame', 'frame CPU']];
  for (const r of results) {
    if (native.includes(r)) continue;
    const base = native.find((n) => n.threads === r.threads) ?? native.find((n) => n.threads === 1) ?? native[0];
    const ratio = (a: number, b: number) => (b > 0 && a > 0 ? `${(a / b).toFixed(2)}x` : '-');
    rows.push([r.runtime, String(r.threads), shortAccelerator(r), `tflite ${base.threads} thread(s)`,
      ratio(r.stages.detect_infer.mean_ms, base.stages.detect_infer.mean_ms), ratio(r.stages.estimate.mean_ms, base.stages.estimate.mean_ms), ratio(r.stages.total.mean_ms, base.stages.total.mean_ms), ratio(r.cpu_ms, base.cpu_ms)]);
  }
  if (rows.length === 1) return 'ratios: only native TFLite on XNNPACK was measured';
  return 'time relative to native TFLite on XNNPACK (mean wall ms, and CPU ms per frame; >1 is slower):\n' + alignRows(rows, 4);
}
