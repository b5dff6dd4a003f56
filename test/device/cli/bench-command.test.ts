import test from 'ava';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { runCli } from '../support/run-cli.ts';
import { defaultThreads } from '../../../core/runtime/default-threads.ts';
import { BENCH_REPORT_SCHEMA, type BenchReport } from '../../../device/bench/bench-report.ts';

const agekit = (args: string[]) => runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'device', 'main.ts'), ...args], { cwd: projectRoot, timeoutMs: 300_000 });
const STAGES = ['capture', 'detect_input', 'detect_infer', 'detect_decode', 'crop', 'estimate', 'track', 'detect', 'total'];

dataTest(test)('the default bench prints tables no wider than 120 columns, the default threads first as the named baseline, every FPS labelled', async (t) => {
  if (!requireUtkface(t)) return;
  const r = await agekit(['bench', '--frames', '4']);
  t.is(r.code, 0, r.stderr);
  t.log('\n' + r.stdout);
  const lines = r.stdout.split('\n');
  for (const line of lines) t.true(line.length <= 120, `${line.length} columns: ${line}`);
  t.regex(r.stdout, new RegExp(`^baseline: tflite, ${defaultThreads()} threads?, xnnpack`, 'm'));
  const threads = [...new Set([defaultThreads(), 1, availableParallelism()])];
  t.regex(r.stdout, new RegExp(`^ +${threads.map((n) => `${n} thr, xnnpack`).join(' +')}$`, 'm'));
  // No bare "FPS" column or figure: each says what it is from.
  for (const line of lines.filter((l) => /FPS/.test(l))) t.regex(line, /pipeline FPS \((mean|median) frame\)|pipeline FPS: frames through/);
  t.false(/^INFO:/m.test(r.stderr), 'no TFLite log line');
  t.regex(r.stderr, /schedule: full detection every frame/);
});

dataTest(test)('bench --json - writes the comparison document to stdout: machine, threads, delegate, schedule, per-stage p50 <= p95, FPS', async (t) => {
  if (!requireUtkface(t)) return;
  const r = await agekit(['bench', '--frames', '4', '--threads', '1', '--json', '-']);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as BenchReport;
  // The tables moved to stderr, so stdout is the document alone.
  t.regex(r.stderr, /^baseline: tflite, 1 thread, xnnpack/m);
  t.is(doc.schema, BENCH_REPORT_SCHEMA);
  t.true(doc.machine.cpu.length > 0 && doc.machine.cpu !== 'unknown', doc.machine.cpu);
  t.is(doc.machine.cores, availableParallelism());
  for (const k of ['cpu_temp_c', 'cpu_mhz', 'throttled', 'throttled_meaning'] as const) {
    t.true(k in doc.machine && k in doc.machine_after, `${k} present (null when the machine does not expose it)`);
  }
  // This machine has no thermal zones and no vcgencmd: nulls, not made-up figures.
  t.is(doc.machine.throttled, null);
  t.is(doc.schedule, 'full detection every frame');
  t.is(doc.baseline, 'tflite, 1 thread, xnnpack');
  t.is(doc.results.length, 1);
  const res = doc.results[0];
  t.is(res.runtime, 'tflite');
  t.is(res.threads, 1);
  t.is(res.delegate, 'xnnpack');
  t.is(res.schedule, 'full detection every frame');
  t.is(res.vs_baseline, 'baseline');
  t.is(res.frames, 4);
  t.true(res.fps > 0 && res.fps_p50 > 0, `fps ${res.fps}, fps_p50 ${res.fps_p50}`);
  t.true(Math.abs(res.fps_p50 - 1000 / res.stages.total.p50_ms) < 0.1, 'fps_p50 is 1000 / the median frame');
  for (const s of STAGES) {
    const st = res.stages[s as keyof typeof res.stages];
    t.true(st.p50_ms > 0, `${s} p50 ${st.p50_ms} ms`);
    t.true(st.p50_ms <= st.p95_ms, `${s} p50 ${st.p50_ms} <= p95 ${st.p95_ms}`);
  }
});
