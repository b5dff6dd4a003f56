/**
 * `agekit bench` as a library call: the whole per-frame path (capture from memory, detector
 * input, detector inference, anchor decoding + NMS, crop, age estimation, tracking) over fixed
 * frames for each runtime x thread count. The frames go through runPipeline, the loop `agekit run`
 * and createPipeline use, so the bench times that loop with its own clock (the detector reports its
 * inner parts through the clock's part timer).
 *
 * All configurations are opened first and then measured in turns, pass by pass, on the same
 * frames: on a machine whose load changes (a training job next door) every configuration sees
 * the same conditions, so the ratios between runtimes are measured, not assumed.
 *
 * @example
 * const r = await runBench({ configs: [{ runtime: 'tflite', threads: 1, detector: 'samples/models/blazeface.tflite', model: 'student.tflite' }], frames });
 */
import type { RuntimeName } from '../../core/runtime/model-runner.ts';
import { BlazeFaceDetector } from '../detectors/blazeface-detector.ts';
import { AgeEstimator } from '../estimators/age-estimator.ts';
import { FrameAssembler } from '../sources/frame-assembler.ts';
import { IouTracker } from '../trackers/iou-tracker.ts';
import { quantile } from '../sinks/latency-stats.ts';
import type { Frame, FrameResult, Sink, Source } from '../stages.ts';
import { runPipeline } from '../pipeline.ts';

export interface BenchConfig {
  runtime: RuntimeName;
  threads: number;
  /** Detector file for this runtime (.tflite, or a tfjs graph model for `tfjs`). */
  detector: string;
  /** Age model for this runtime, if any (.tflite, or a checkpoint for `tfjs`). */
  model?: string;
  /** Native tflite only: run on XNNPACK (default true) or on TFLite's builtin kernels. */
  xnnpack?: boolean;
}

/** Which frames run full-frame detection: every one (the only schedule there is today). */
export const BENCH_SCHEDULE = 'full detection every frame';

/** The timed parts of one frame, in pipeline order. */
export const BENCH_STAGES = ['capture', 'detect_input', 'detect_infer', 'detect_decode', 'crop', 'estimate', 'track'] as const;
export type BenchStageName = typeof BENCH_STAGES[number];

/**
 * Statistics of one stage over the measured frames; `share` is of the mean total. `min_ms` is
 * the least-disturbed frame: on a shared machine, the closest measured figure to an idle one.
 */
export interface BenchStage { p50_ms: number; p95_ms: number; mean_ms: number; min_ms: number; share: number }

export interface BenchResult {
  runtime: RuntimeName;
  threads: number;
  /** What ran the detector's ops (e.g. `xnnpack (1 thread)`, `builtin kernels (...)`, `tfjs wasm`). */
  accelerator: string;
  detector: string;
  model: string | null;
  frames: number;
  /** Faces detected per frame, on average (each is estimated when there is an age model). */
  faces_per_frame: number;
  /** Frames per second from the mean total time: sustained throughput of one pipeline. */
  fps: number;
  /** Frames per second from the median total time. */
  fps_p50: number;
  /**
   * CPU time of the process per frame (user + system, all its threads), mean ms: what a frame
   * costs when the machine is shared (a training job next door stretches wall time, not this).
   */
  cpu_ms: number;
  /** Frames per CPU-second: 1000 / cpu_ms. Waiting for a busy core is not in it; contention for caches still is. */
  fps_cpu: number;
  stages: Record<BenchStageName | 'detect' | 'total', BenchStage>;
  /** Mean total time relative to the first configuration's (the baseline of this run). */
  ratio_to_baseline?: number;
}

export interface RunBenchOptions {
  configs: BenchConfig[];
  frames: Frame[];
  /** Passes over the frames (after one warm-up pass of up to 5 frames). Default 1. */
  passes?: number;
  /** Bytes per read when frames are captured from memory (a pipe delivers 64 KiB). Default 65536. */
  chunkBytes?: number;
  /** Called before each configuration is opened, for progress on stderr. */
  onConfig?: (c: BenchConfig) => void;
  /** Called when a configuration cannot run (e.g. a runtime not available): it is skipped. */
  onSkip?: (c: BenchConfig, err: unknown) => void;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** One opened configuration and its samples. */
interface Lane {
  config: BenchConfig;
  detector: BlazeFaceDetector;
  estimator?: AgeEstimator;
  tracker: IouTracker;
  assembler?: FrameAssembler;
  /** Frame time of the tracker, strictly increasing across passes. */
  tMs: number;
  times: Record<BenchStageName, number[]>;
  /** CPU ms of each measured frame. */
  cpu: number[];
  faces: number;
}

/**
 * Fixed frames as a source: each frame's raw bytes cut into pipe-sized reads and assembled into a
 * pooled buffer, as the raw-pipe sources do with ffmpeg's output, so capture is timed as on a camera.
 */
function memorySource(lane: Lane, frames: Frame[], chunkBytes: number): Source {
  const health = { badFrames: 0, restarts: 0, stalls: 0, dropped: 0 };
  return {
    id: 'bench:memory', health,
    async *frames(signal: AbortSignal) {
      for (const f of frames) {
        if (signal.aborted) return;
        if (!lane.assembler || lane.assembler.width !== f.width || lane.assembler.height !== f.height) lane.assembler = new FrameAssembler(f.width, f.height, 'rgb24');
        let rgb: Uint8Array | undefined;
        for (let off = 0; off < f.rgb.length; off += chunkBytes) rgb = lane.assembler.push(f.rgb.subarray(off, off + chunkBytes))[0] ?? rgb;
        lane.tMs += 33.3;
        yield { index: f.index, tMs: lane.tMs, width: f.width, height: f.height, rgb: rgb! };
      }
    },
    release: (frame) => lane.assembler?.release(frame.rgb),
    close: async () => {},
  };
}

/**
 * Run `frames` through the lane with runPipeline, the loop `agekit run` and createPipeline use,
 * and record each frame's stage times (the detector's inner parts from its part timer) and CPU
 * time, after the first `unrecorded` frames.
 */
async function runFrames(lane: Lane, frames: Frame[], chunkBytes: number, unrecorded: number): Promise<void> {
  let seen = 0;
  let cpu0 = process.cpuUsage();
  const recorder: Sink = {
    write(r: FrameResult) {
      // CPU from the end of the previous frame's sinks to the end of this frame's tracking.
      const cpu = process.cpuUsage(cpu0);
      cpu0 = process.cpuUsage();
      if (seen++ < unrecorded) return;
      const x = r.extraMs ?? {};
      const ms: Record<BenchStageName, number> = {
        capture: r.stageMs.capture, detect_input: x['detect.input'] ?? 0, detect_infer: x['detect.infer'] ?? 0, detect_decode: x['detect.decode'] ?? 0,
        crop: r.stageMs.crop, estimate: r.stageMs.estimate, track: r.stageMs.track,
      };
      for (const k of BENCH_STAGES) lane.times[k].push(ms[k]);
      lane.cpu.push((cpu.user + cpu.system) / 1000);
      lane.faces += r.faces.length;
    },
    close: async () => {},
  };
  await runPipeline({ source: memorySource(lane, frames, chunkBytes), detector: lane.detector, estimator: lane.estimator, tracker: lane.tracker, sinks: [recorder] }, new AbortController().signal);
  lane.tracker.takeEnded();
}

function summarize(lane: Lane): BenchResult {
  const n = lane.times.capture.length;
  const sumOf = (keys: readonly BenchStageName[]) => Array.from({ length: n }, (_, i) => keys.reduce((s, k) => s + lane.times[k][i], 0));
  const series: Record<BenchStageName | 'detect' | 'total', number[]> = {
    ...lane.times,
    detect: sumOf(['detect_input', 'detect_infer', 'detect_decode']),
    total: sumOf(BENCH_STAGES),
  };
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
  const totalMean = mean(series.total);
  const stage = (a: number[]): BenchStage => {
    const s = Float64Array.from(a).sort();
    return { p50_ms: r3(quantile(s, 0.5)), p95_ms: r3(quantile(s, 0.95)), mean_ms: r3(mean(a)), min_ms: r3(s[0] ?? 0), share: totalMean > 0 ? r3(mean(a) / totalMean) : 0 };
  };
  const stages = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, stage(v)])) as BenchResult['stages'];
  const c = lane.config;
  const runner = lane.detector.modelRunner;
  const cpuMs = mean(lane.cpu);
  return {
    runtime: c.runtime, threads: c.threads, accelerator: runner.accelerator ?? c.runtime, detector: c.detector, model: c.model ?? null, frames: n,
    faces_per_frame: r3(lane.faces / Math.max(1, n)),
    fps: Math.round(10_000 / totalMean) / 10,
    fps_p50: Math.round(10_000 / stages.total.p50_ms) / 10,
    cpu_ms: r3(cpuMs),
    fps_cpu: cpuMs > 0 ? Math.round(10_000 / cpuMs) / 10 : 0,
    stages,
  };
}

export async function runBench(o: RunBenchOptions): Promise<BenchResult[]> {
  const lanes: Lane[] = [];
  const chunkBytes = o.chunkBytes ?? 65536;
  try {
    for (const c of o.configs) {
      o.onConfig?.(c);
      let detector: BlazeFaceDetector | undefined;
      try {
        const tfliteRuntime = c.runtime === 'tflite-wasm' || c.runtime === 'tflite' ? c.runtime : undefined;
        detector = await BlazeFaceDetector.create({ modelPath: c.detector, runtime: tfliteRuntime, threads: c.threads, xnnpack: c.xnnpack });
        const estimator = c.model ? await AgeEstimator.create({ modelPath: c.model, runtime: c.runtime, threads: c.threads, xnnpack: c.xnnpack }) : undefined;
        const times = Object.fromEntries(BENCH_STAGES.map((k) => [k, [] as number[]])) as unknown as Record<BenchStageName, number[]>;
        lanes.push({ config: c, detector, estimator, tracker: new IouTracker(), tMs: 0, times, cpu: [], faces: 0 });
      } catch (err) {
        await detector?.close();
        if (!o.onSkip) throw err;
        o.onSkip(c, err);
      }
    }
    for (const lane of lanes) await runFrames(lane, o.frames.slice(0, 5), chunkBytes, Infinity);
    for (let p = 0; p < (o.passes ?? 1); p++) {
      for (const lane of lanes) {
        // One unrecorded frame at each switch: the garbage another lane left (tfjs allocates a
        // lot) is collected here, not billed to this lane's first capture.
        await runFrames(lane, [o.frames[0], ...o.frames], chunkBytes, 1);
      }
    }
  } finally {
    for (const lane of lanes) {
      await lane.detector.close();
      await lane.estimator?.close();
    }
  }
  const results = lanes.map(summarize);
  const base = results[0]?.stages.total.mean_ms;
  if (base) for (const r of results) r.ratio_to_baseline = r3(r.stages.total.mean_ms / base);
  return results;
}
