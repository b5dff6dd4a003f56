/**
 * The text `agekit bench` prints, for an 80-120 column terminal: stages as rows and configurations
 * as columns (split into blocks when they do not fit in 120), every FPS labelled, the run's
 * baseline named and each configuration said to be "x slower" or "x faster" than it; then the
 * ratios between runtimes measured in the same run.
 *
 * @example
 * process.stdout.write(formatBenchTable(results) + '\n\n' + formatRuntimeRatios(results) + '\n');
 */
import { BENCH_STAGES, type BenchResult, type BenchStageName } from './run-bench.ts';

/** Widest line the tables print. */
export const MAX_TABLE_WIDTH = 120;

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

/** `tflite, 1 thread, xnnpack`: how a configuration is named in text. */
export function configName(r: Pick<BenchResult, 'runtime' | 'accelerator' | 'threads'>): string {
  return `${r.runtime}, ${r.threads} thread${r.threads === 1 ? '' : 's'}, ${shortAccelerator(r)}`;
}

/**
 * How `a` ms compares with `base` ms: `1.80x slower`, `1.30x faster`, or `same` within 0.5%;
 * `-` when either is not a positive time.
 */
export function compareTimes(a: number, base: number): string {
  if (!(a > 0 && base > 0)) return '-';
  const r = a / base;
  if (Math.abs(r - 1) < 0.005) return 'same';
  return r > 1 ? `${r.toFixed(2)}x slower` : `${(1 / r).toFixed(2)}x faster`;
}

const baseName = (p: string | null) => (p ? p.split('/').pop()! : '(none)');

/** Rows of [label, ...one cell per result]. */
function tableRows(results: BenchResult[], baseline: BenchResult): string[][] {
  const cell = (f: (r: BenchResult) => string) => results.map(f);
  const rows: string[][] = [];
  // Models as rows only when the columns differ; otherwise they are named once above the table.
  if (new Set(results.map((r) => r.detector)).size > 1) rows.push(['detector', ...cell((r) => baseName(r.detector))]);
  if (new Set(results.map((r) => r.model)).size > 1) rows.push(['age model', ...cell((r) => baseName(r.model))]);
  rows.push(['faces per frame', ...cell((r) => r.faces_per_frame.toFixed(2))]);
  for (const s of BENCH_STAGES) rows.push([`${STAGE_LABELS[s]} ms (share)`, ...cell((r) => `${r.stages[s].p50_ms.toFixed(2)} ${`${Math.round(100 * r.stages[s].share)}%`.padStart(4)}`)]);
  rows.push(['frame ms, median', ...cell((r) => r.stages.total.p50_ms.toFixed(2))]);
  rows.push(['frame ms, fastest', ...cell((r) => r.stages.total.min_ms.toFixed(2))]);
  rows.push(['pipeline FPS (mean frame)', ...cell((r) => r.fps.toFixed(1))]);
  rows.push(['pipeline FPS (median frame)', ...cell((r) => r.fps_p50.toFixed(1))]);
  rows.push(['CPU ms per frame', ...cell((r) => r.cpu_ms.toFixed(2))]);
  rows.push(['frames per CPU-second', ...cell((r) => r.fps_cpu.toFixed(1))]);
  rows.push(['mean frame vs baseline', ...cell((r) => (r === baseline ? 'baseline' : compareTimes(r.stages.total.mean_ms, baseline.stages.total.mean_ms)))]);
  return rows;
}

/** Right-aligned value columns under a left-aligned label column; `heads` are the header lines per value column. */
function block(rows: string[][], heads: string[][], columns: number[]): string[] {
  const labelWidth = Math.max(...rows.map((r) => r[0].length));
  const width = (c: number) => Math.max(...rows.map((r) => r[c + 1].length), ...heads[c].map((h) => h.length));
  const widths = columns.map(width);
  const line = (label: string, cells: string[]) => [label.padEnd(labelWidth), ...cells.map((v, i) => v.padStart(widths[i]))].join('  ').trimEnd();
  const headLines = heads[0].map((_, k) => line(k === 0 ? 'configuration' : '', columns.map((c) => heads[c][k])));
  return [...headLines, ...rows.map((r) => line(r[0], columns.map((c) => r[c + 1])))];
}

/** Split column indices into blocks whose lines fit in `max` characters. */
function fitColumns(rows: string[][], heads: string[][], max: number): number[][] {
  const labelWidth = Math.max(...rows.map((r) => r[0].length));
  const width = (c: number) => Math.max(...rows.map((r) => r[c + 1].length), ...heads[c].map((h) => h.length));
  const blocks: number[][] = [];
  let current: number[] = [], used = labelWidth;
  for (let c = 0; c < heads.length; c++) {
    const w = 2 + width(c);
    if (current.length && used + w > max) { blocks.push(current); current = []; used = labelWidth; }
    current.push(c);
    used += w;
  }
  if (current.length) blocks.push(current);
  return blocks;
}

/**
 * Per configuration (a column): median ms and share of the mean frame of every stage, frame
 * times, labelled FPS, CPU cost, and how the mean frame compares with the first configuration
 * (the run's baseline, named above the table). Lines fit in MAX_TABLE_WIDTH characters.
 */
export function formatBenchTable(results: BenchResult[]): string {
  if (!results.length) return 'no configuration could run';
  const baseline = results[0];
  const rows = tableRows(results, baseline);
  const heads = results.map((r) => [r.runtime, `${r.threads} thr, ${shortAccelerator(r)}`]);
  const out: string[] = [];
  const detectors = new Set(results.map((r) => r.detector)), models = new Set(results.map((r) => r.model));
  if (detectors.size === 1 && models.size === 1) out.push(`models: ${baseName(baseline.detector)} + ${baseName(baseline.model)}`);
  out.push(`baseline: ${configName(baseline)} (the first configuration)`);
  for (const cols of fitColumns(rows, heads, MAX_TABLE_WIDTH)) out.push('', ...block(rows, heads, cols));
  out.push('', 'stage rows: median ms and share of the mean frame time. pipeline FPS: frames through detect, crop, estimate',
    'and track, from the mean or the median frame time. CPU ms: process CPU time per frame, all threads; waiting for',
    'a busy core is not in it, cache and memory contention still are.');
  return out.join('\n');
}

/**
 * Ratios between runtimes: each row's detector inference, estimation and whole frame against
 * the native TFLite row on XNNPACK with the same thread count (1 when the other runtime is
 * single-threaded), so a ratio compares runtimes, not thread counts.
 */
export function formatRuntimeRatios(results: BenchResult[]): string {
  const native = results.filter((r) => r.runtime === 'tflite' && shortAccelerator(r) === 'xnnpack');
  if (!native.length) return 'ratios: no native TFLite row on XNNPACK to compare with';
  const rows = [['configuration', 'compared with', 'det.infer', 'estimate', 'frame', 'frame CPU']];
  for (const r of results) {
    if (native.includes(r)) continue;
    const base = native.find((n) => n.threads === r.threads) ?? native.find((n) => n.threads === 1) ?? native[0];
    rows.push([configName(r), configName(base),
      compareTimes(r.stages.detect_infer.mean_ms, base.stages.detect_infer.mean_ms), compareTimes(r.stages.estimate.mean_ms, base.stages.estimate.mean_ms),
      compareTimes(r.stages.total.mean_ms, base.stages.total.mean_ms), compareTimes(r.cpu_ms, base.cpu_ms)]);
  }
  if (rows.length === 1) return 'ratios: only native TFLite on XNNPACK was measured';
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const text = rows.map((r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ').trimEnd());
  return 'runtimes compared (mean wall ms per stage and frame, and CPU ms per frame):\n' + text.join('\n');
}
