import test from 'ava';
import { join } from 'node:path';
import { runBench, BENCH_STAGES } from '../../../device/bench/run-bench.ts';
import { formatBenchTable, formatRuntimeRatios } from '../../../device/bench/bench-table.ts';
import { benchFrames } from '../../../device/bench/bench-frames.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { blazefaceTflite, faceresTflite } from '../support/device-models.ts';

dataTest(test)('bench: real faces through the whole path per runtime, every stage timed with its share, ratios between runtimes', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const { frames, where } = await benchFrames({ facesDir: join(utk, 'images'), count: 3, facesPerFrame: 1 });
  t.regex(where, /3 640x480 frames, 1 face\(s\) of 160 px/);
  t.is(frames.length, 3);
  const detector = await blazefaceTflite();
  const model = await faceresTflite();
  const skipped: string[] = [];
  const results = await runBench({
    frames,
    configs: [
      { runtime: 'tflite', threads: 1, detector, model },
      { runtime: 'tflite', threads: 1, detector, model, xnnpack: false },
      { runtime: 'tflite-wasm', threads: 1, detector },
    ],
    onSkip: (c, err) => skipped.push(`${c.runtime}: ${(err as Error).message}`),
  });
  t.deepEqual(skipped, []);
  t.deepEqual(results.map((r) => r.runtime), ['tflite', 'tflite', 'tflite-wasm']);
  t.regex(results[0].accelerator, /^xnnpack \(1 thread\)$/);
  t.regex(results[1].accelerator, /^builtin kernels/);
  for (const r of results) {
    t.is(r.frames, 3);
    t.true(r.faces_per_frame >= 0.9 && r.faces_per_frame <= 1.1, `${r.faces_per_frame} faces per frame, one placed`);
    t.true(r.fps > 0 && r.stages.detect_infer.p50_ms > 0 && r.stages.capture.p50_ms > 0);
    t.true(r.cpu_ms > 0 && r.fps_cpu > 0);
    t.true(r.stages.total.min_ms > 0 && r.stages.total.min_ms <= r.stages.total.p50_ms && r.stages.total.p50_ms <= r.stages.total.p95_ms);
    // Shares are of the mean frame: the stages add up to the whole.
    const shares = BENCH_STAGES.reduce((s, k) => s + r.stages[k].share, 0);
    t.true(Math.abs(shares - 1) < 0.01, `shares sum to ${shares}`);
    t.true(Math.abs(r.stages.detect.mean_ms - (r.stages.detect_input.mean_ms + r.stages.detect_infer.mean_ms + r.stages.detect_decode.mean_ms)) < 0.01);
    if (r.model) t.true(r.stages.estimate.mean_ms > 0 && r.stages.crop.mean_ms > 0);
    else t.is(r.stages.estimate.mean_ms, 0);
  }
  t.is(results[0].ratio_to_baseline, 1);
  const table = formatBenchTable(results);
  const ratios = formatRuntimeRatios(results);
  t.log('\n' + table + '\n\n' + ratios);
  // Stages as rows, configurations as columns, every line within 120 columns.
  t.regex(table, /^baseline: tflite, 1 thread, xnnpack \(the first configuration\)$/m);
  t.regex(table, /^configuration +tflite +tflite +tflite-wasm$/m);
  t.regex(table, /^ +1 thr, xnnpack +1 thr, builtin +1 thr, wasm-simd$/m);
  for (const s of ['capture', 'det.input', 'det.infer', 'det.decode', 'crop', 'estimate', 'track']) t.regex(table, new RegExp(`^${s.replace('.', '\\.')} ms \\(share\\) +[\\d.]+ +\\d+%`, 'm'));
  t.regex(table, /^pipeline FPS \(mean frame\) +[\d.]+ +[\d.]+ +[\d.]+$/m);
  t.regex(table, /^pipeline FPS \(median frame\) +[\d.]+/m);
  t.regex(table, /^frames per CPU-second +[\d.]+/m);
  // The builtin kernels are slower than XNNPACK, and the table says so in words.
  t.regex(table, /^mean frame vs baseline +baseline +\d+\.\d\dx slower +\d+\.\d\dx (slower|faster)$/m);
  for (const line of [...table.split('\n'), ...ratios.split('\n')]) t.true(line.length <= 120, `${line.length} columns: ${line}`);
  t.regex(ratios, /^tflite, 1 thread, builtin +tflite, 1 thread, xnnpack +\d+\.\d\dx slower/m);
  t.regex(ratios, /^tflite-wasm, 1 thread, wasm-simd +tflite, 1 thread, xnnpack/m);
});
