/**
 * `agekit bench` as a library call: detection plus estimation over fixed frames for each
 * runtime x thread count, timed per stage with the pipeline's clock, in one run on one machine,
 * so the ratios between runtimes are measured, not assumed.
 *
 * @example
 * const r = await runBench({ detector: 'samples/models/blazeface.tflite', model: 'student.tflite', runtimes: ['tflite', 'tflite-wasm'], threads: [1, 2], frames });
 */
import type { RuntimeName } from '../runtime/model-runner.ts';
import { BlazeFaceDetector } from '../detectors/blazeface-detector.ts';
import { AgeEstimator } from '../estimators/age-estimator.ts';
import { cropFaces } from '../estimators/crop-faces.ts';
import { StageClock } from '../stage-clock.ts';
import { quantile } from '../sinks/latency-stats.ts';
import type { Frame } from '../stages.ts';

export interface BenchConfig {
  runtime: RuntimeName;
  threads: number;
  /** Detector file for this runtime (.tflite, or a tfjs graph model for `tfjs`). */
  detector: string;
  /** Age model for this runtime, if any (.tflite, or a checkpoint for `tfjs`). */
  model?: string;
}

export interface BenchStage { p50_ms: number; p95_ms: number; mean_ms: number; share: number }

export interface BenchResult {
  runtime: RuntimeName;
  threads: number;
  detector: string;
  model: string | null;
  frames: number;
  /** Faces detected per frame, on average (each is estimated when there is an age model). */
  faces_per_frame: number;
  /** Frames per second from the mean total time (detect + crop + estimate). */
  fps: number;
  stages: Record<'detect' | 'crop' | 'estimate' | 'total', BenchStage>;
  /** Mean total time relative to the first configuration's (the baseline of this run). */
  ratio_to_baseline?: number;
}

export interface RunBenchOptions {
  configs: BenchConfig[];
  frames: Frame[];
  /** Passes over the frames (after one warm-up pass of up to 5 frames). Default 1. */
  passes?: number;
  /** Called before each configuration, for progress on stderr. */
  onConfig?: (c: BenchConfig) => void;
  /** Called when a configuration cannot run (e.g. a runtime not available): it is skipped. */
  onSkip?: (c: BenchConfig, err: unknown) => void;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export async function runBench(o: RunBenchOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const c of o.configs) {
    o.onConfig?.(c);
    let detector: BlazeFaceDetector | undefined, estimator: AgeEstimator | undefined;
    try {
      detector = await BlazeFaceDetector.create({ modelPath: c.detector, runtime: c.runtime === 'tflite-wasm' || c.runtime === 'tflite' ? c.runtime : undefined, threads: c.threads });
      if (c.model) estimator = await AgeEstimator.create({ modelPath: c.model, runtime: c.runtime, threads: c.threads });
      const times = { detect: [] as number[], crop: [] as number[], estimate: [] as number[], total: [] as number[] };
      let faces = 0;
      const clock = new StageClock();
      const step = async (frame: Frame, record: boolean) => {
        clock.reset();
        const boxes = await clock.time('detect', () => detector!.detect(frame));
        if (estimator) {
          const crops = clock.timeSync('crop', () => cropFaces(frame, boxes, estimator!.meta));
          if (crops.length) await clock.time('estimate', () => estimator!.estimate(crops));
        }
        if (!record) return;
        const m = clock.ms;
        times.detect.push(m.detect); times.crop.push(m.crop); times.estimate.push(m.estimate);
        times.total.push(m.detect + m.crop + m.estimate);
        faces += boxes.length;
      };
      for (const f of o.frames.slice(0, 5)) await step(f, false);
      for (let p = 0; p < (o.passes ?? 1); p++) for (const f of o.frames) await step(f, true);
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
      const totalMean = mean(times.total);
      const stage = (a: number[]): BenchStage => {
        const s = Float64Array.from(a).sort();
        return { p50_ms: r3(quantile(s, 0.5)), p95_ms: r3(quantile(s, 0.95)), mean_ms: r3(mean(a)), share: totalMean > 0 ? r3(mean(a) / totalMean) : 0 };
      };
      results.push({
        runtime: c.runtime, threads: c.threads, detector: c.detector, model: c.model ?? null, frames: times.total.length,
        faces_per_frame: r3(faces / Math.max(1, times.total.length)), fps: Math.round((10_000 / totalMean)) / 10,
        stages: { detect: stage(times.detect), crop: stage(times.crop), estimate: stage(times.estimate), total: stage(times.total) },
      });
    } catch (err) {
      if (!o.onSkip) throw err;
      o.onSkip(c, err);
    } finally {
      await detector?.close();
      await estimator?.close();
    }
  }
  const base = results[0]?.stages.total.mean_ms;
  if (base) for (const r of results) r.ratio_to_baseline = r3(r.stages.total.mean_ms / base);
  return results;
}

/** The bench table: one row per configuration, ms per stage (p50) and FPS. */
export function formatBenchTable(results: BenchResult[]): string {
  const rows = [['runtime', 'threads', 'model', 'faces/frame', 'detect ms', 'crop ms', 'estimate ms', 'total ms', 'FPS', 'vs first', 'detect share']];
  for (const r of results) {
    rows.push([r.runtime, String(r.threads), r.model ? r.model.split('/').pop()! : '(detector only)', r.faces_per_frame.toFixed(2),
      r.stages.detect.p50_ms.toFixed(2), r.stages.crop.p50_ms.toFixed(2), r.stages.estimate.p50_ms.toFixed(2), r.stages.total.p50_ms.toFixed(2),
      r.fps.toFixed(1), `${(r.ratio_to_baseline ?? 1).toFixed(2)}x`, `${(100 * r.stages.detect.share).toFixed(0)}%`]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c <= 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')).join('\n');
}
