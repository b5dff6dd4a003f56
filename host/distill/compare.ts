/**
 * `agekit compare`: teacher and students measured in one run on one machine — accuracy on the
 * same faces, size, cost, latency at batch 1, throughput at batch 32 and the speed-up over the
 * teacher. Times are medians of repeated runs after one warm-up run.
 *
 * @example
 * const rows = await compareModels(['faceres', 'runs/kd'], ds);
 * process.stdout.write(formatCompareTable(rows));
 */
import { DataError } from '../../core/errors.ts';
import type { Dataset } from '../data/dataset.ts';
import { ageMetrics, metricsToJson, type AgeMetrics } from '../eval/metrics.ts';
import type { Detector } from '../../device/stages.ts';
import { evaluateCameraPath } from '../eval/camera-path.ts';
import type { CameraSceneOptions } from '../eval/camera-scene.ts';
import { openComparedModel } from './compared-model.ts';

export interface CompareRow {
  model: string;
  kind: 'teacher' | 'checkpoint' | 'tflite';
  input: [number, number];
  n: number;
  mae: number;
  /** Mean signed error, prediction - truth, years. */
  bias: number;
  parameters?: number;
  multiplyAdds?: number;
  fileBytes?: number;
  /** Median milliseconds per image at batch 1 (model only: inputs prepared beforehand). */
  msPerImage: number;
  /** Median images per second at batch 32. */
  imagesPerSecond: number;
  /** The reference model's msPerImage / this model's (reference: the first teacher, else the first model). */
  speedUp: number;
  /** Chip-path metrics, per decade included. */
  metrics: AgeMetrics;
  /** Camera-path metrics over the faces the detector found, when the camera path was measured. */
  camera?: { metrics?: AgeMetrics; found: number; missed: number };
}

export interface CompareOptions {
  /** Repetitions timed at batch 1 (a time budget may cut them short, never below 3). Default 20. */
  repeatsBatch1?: number;
  /** Repetitions timed at the large batch. Default 3. */
  repeatsBatchN?: number;
  /** The large batch size. Default 32. */
  batchN?: number;
  /** Stop repeating batch-1 runs after this many milliseconds. Default 4000. */
  budgetMs?: number;
  onStatus?: (line: string) => void;
  /** Also measure every model through the camera path with this detector (same scenes for every model). */
  camera?: CameraSceneOptions & { detector: Detector; seed?: number };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeRuns(run: () => Promise<void>, repeats: number, budgetMs: number, minRepeats = 3): Promise<number> {
  await run(); // warm-up: first-call compilation and allocation
  const times: number[] = [];
  const start = performance.now();
  while (times.length < repeats && (times.length < minRepeats || performance.now() - start < budgetMs)) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Measure every model on the dataset's labelled samples; models are opened and closed one at a time. */
export async function compareModels(ids: string[], ds: Dataset, options: CompareOptions = {}): Promise<CompareRow[]> {
  if (ds.samples.length === 0) throw new DataError('has no samples to compare the models on', { where: ds.spec });
  const batchN = options.batchN ?? 32;
  const timingSamples = Array.from({ length: batchN }, (_, i) => ds.samples[i % ds.samples.length]);
  const rows: Omit<CompareRow, 'speedUp'>[] = [];
  for (const id of ids) {
    const m = await openComparedModel(id);
    try {
      options.onStatus?.(`${id}: predicting ${ds.samples.length} faces`);
      const { predictions, truths } = await m.predict(ds);
      const metrics = ageMetrics(predictions, truths);
      let camera: CompareRow['camera'];
      if (options.camera) {
        options.onStatus?.(`${id}: camera path on ${ds.samples.length} faces`);
        const r = await evaluateCameraPath(m.cropModel, ds, { ...options.camera, chip: false });
        camera = { metrics: r.camera.metrics, found: r.camera.found, missed: r.camera.missed };
      }
      options.onStatus?.(`${id}: timing batch 1 and batch ${batchN}`);
      const run = await m.prepareTiming(timingSamples);
      const ms1 = await timeRuns(() => run(1), options.repeatsBatch1 ?? 20, options.budgetMs ?? 4000);
      const msN = await timeRuns(() => run(batchN), options.repeatsBatchN ?? 3, 0);
      rows.push({
        model: id, kind: m.kind, input: m.inputSize, n: metrics.n, mae: metrics.mae, bias: metrics.bias,
        parameters: m.parameters, multiplyAdds: m.multiplyAdds, fileBytes: m.fileBytes,
        msPerImage: ms1, imagesPerSecond: (1000 * batchN) / msN, metrics, ...(camera ? { camera } : {}),
      });
    } finally {
      await m.close();
    }
  }
  const ref = rows.find((r) => r.kind === 'teacher') ?? rows[0];
  return rows.map((r) => ({ ...r, speedUp: ref.msPerImage / r.msPerImage }));
}

const fmtCount = (v: number | undefined) => (v === undefined ? '-' : v >= 1e9 ? `${(v / 1e9).toFixed(2)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(v));
const fmtBytes = (v: number | undefined) => (v === undefined ? '-' : v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(2)} MB` : `${(v / 1024).toFixed(0)} kB`);

/** The comparison as an aligned text table (one header line, one line per model). */
export function formatCompareTable(rows: CompareRow[]): string {
  const withCamera = rows.some((r) => r.camera);
  const header = ['model', 'input', 'n', 'MAE', 'bias', ...(withCamera ? ['cam MAE', 'cam bias', 'missed'] : []), 'params', 'mult-adds', 'size', 'ms/img b1', 'img/s b32', 'speed-up'];
  const cam = (r: CompareRow) => (!withCamera ? [] : r.camera?.metrics
    ? [r.camera.metrics.mae.toFixed(2), r.camera.metrics.bias.toFixed(2), String(r.camera.missed)]
    : ['-', '-', r.camera ? String(r.camera.missed) : '-']);
  const cells = rows.map((r) => [
    r.model, r.input.join('x'), String(r.n), r.mae.toFixed(2), r.bias.toFixed(2), ...cam(r), fmtCount(r.parameters), fmtCount(r.multiplyAdds),
    fmtBytes(r.fileBytes), r.msPerImage.toFixed(2), r.imagesPerSecond.toFixed(1), `${r.speedUp.toFixed(1)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(header), ...cells.map(line)].join('\n') + '\n' + formatDecadeBias(rows);
}

/** Signed error (prediction - truth) per decade of true age, one column per model and path. */
export function formatDecadeBias(rows: CompareRow[]): string {
  const cols: { name: string; m: AgeMetrics }[] = [];
  for (const r of rows) {
    cols.push({ name: rows.some((x) => x.camera) ? `${r.model} chip` : r.model, m: r.metrics });
    if (r.camera?.metrics) cols.push({ name: `${r.model} camera`, m: r.camera.metrics });
  }
  const decades = [...new Map(cols.flatMap((c) => c.m.byDecade.map((d) => [d.from, d.decade] as const))).entries()].sort((a, b) => a[0] - b[0]);
  const lines = ['', 'signed error per decade (prediction - truth, years):', ...cols.map((c, i) => `  [${i + 1}] ${c.name}`)];
  lines.push('decade  ' + cols.map((_, i) => `[${i + 1}]`.padStart(8)).join(''));
  for (const [from, name] of decades) {
    lines.push(name.padEnd(8) + cols.map((c) => {
      const d = c.m.byDecade.find((x) => x.from === from);
      return (d ? (d.bias > 0 ? '+' : '') + d.bias.toFixed(1) : '-').padStart(8);
    }).join(''));
  }
  return lines.join('\n') + '\n';
}

/** The comparison as JSON (snake_case wire names). */
export function compareJson(rows: CompareRow[], dataset: string, backend: string): Record<string, unknown> {
  return {
    dataset, backend, measured_at: new Date().toISOString(),
    models: rows.map((r) => ({
      model: r.model, kind: r.kind, input: r.input, n: r.n, mae: r.mae, bias: r.bias, parameters: r.parameters ?? null,
      multiply_adds: r.multiplyAdds ?? null, file_bytes: r.fileBytes ?? null, ms_per_image_batch1: r.msPerImage,
      images_per_second_batch32: r.imagesPerSecond, speed_up: r.speedUp, by_decade: metricsToJson(r.metrics).by_decade,
      ...(r.camera ? { camera: { ...(r.camera.metrics ? metricsToJson(r.camera.metrics) : { n: 0 }), found: r.camera.found, missed: r.camera.missed } } : {}),
    })),
  };
}
