/**
 * `agekit bench`: FPS and per-stage ms of detection plus age estimation on fixed frames (no
 * camera), per runtime and thread count, with the machine named. With no arguments it measures
 * the shipped detector and student from samples/models.
 *
 * @example
 * agekit bench --runtimes tflite,tflite-wasm --threads 1,2 --json bench.json
 */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { agekitRoot, installedPackageDir } from '../../core/package-files.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { UsageError } from '../../core/errors.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../../core/runtime/model-runner.ts';
import { describeMachine, formatMachine } from '../report/machine-info.ts';
import type { BenchConfig } from '../bench/run-bench.ts';
import { intFlag, sizeFlag, threadsListFlag } from './cli-args.ts';
import { defaultThreads, describeDefaultThreads } from '../../core/runtime/default-threads.ts';

interface BenchFlags {
  detector?: string; detectorTfjs?: string; model?: string; checkpoint?: string; runtimes: string; threads?: number[];
  frames: number; passes: number; builtin?: boolean; images?: string; faces?: string; facesPerFrame: number; size?: { width: number; height: number }; json?: string;
}

/** Where face photos for synthesized frames are found by default: $AGEKIT_DATA, then ../shared/data/utkface. */
function defaultFacesDir(): string | undefined {
  const root = agekitRoot();
  const roots = [process.env.AGEKIT_DATA, root && resolve(root, '..', 'shared', 'data', 'utkface'), resolve(process.cwd(), '..', 'shared', 'data', 'utkface')];
  for (const r of roots) {
    if (!r) continue;
    if (existsSync(join(r, 'images'))) return join(r, 'images');
    if (existsSync(r)) return r;
  }
  return undefined;
}

function humanBlazeface(): string | undefined {
  const humanDir = installedPackageDir('@vladmandic/human');
  const p = humanDir && join(humanDir, 'models', 'blazeface.json');
  return p && existsSync(p) ? p : undefined;
}

export function registerBench(program: Command): void {
  program.command('bench')
    .description('benchmark detection + age estimation on fixed frames (no camera): FPS and per-stage ms per runtime and thread count')
    .option('--detector <file.tflite>', 'detector for the tflite runtimes (default: samples/models/blazeface.tflite)')
    .option('--detector-tfjs <model.json>', 'detector for the tfjs runtime (default: BlazeFace from @vladmandic/human)')
    .option('--model <file.tflite>', 'age model for the tflite runtimes (default: samples/models/student.tflite)')
    .option('--checkpoint <dir>', 'age model checkpoint for the tfjs runtime')
    .option('--runtimes <list>', `comma-separated runtimes: ${RUNTIME_NAMES.join(', ')}`, 'tflite')
    .option('--threads <list>', `comma-separated thread counts (default: the default of agekit run, ${describeDefaultThreads()}, then 1 and all cores)`, threadsListFlag('--threads'))
    .option('--frames <n>', 'frames per configuration', intFlag('--frames', { min: 1 }), 30)
    .option('--passes <n>', 'passes over the frames', intFlag('--passes', { min: 1 }), 1)
    .option('--builtin', 'also measure native TFLite on its builtin kernels (without XNNPACK), 1 thread, for the ratio')
    .option('--images <dir>', 'use these images as frames instead of synthesized ones')
    .option('--faces <dir>', 'face photos composited on a background (default: $AGEKIT_DATA or ../shared/data/utkface)')
    .option('--faces-per-frame <n>', 'faces per synthesized frame', intFlag('--faces-per-frame', { min: 0 }), 1)
    .option('--size <WxH>', 'synthesized frame size (default: 640x480)', sizeFlag('--size'))
    .option('--json <file|->', 'also write the results as JSON (machine, threads, delegate, schedule, per-stage p50/p95 ms, FPS); - for stdout, the tables then go to stderr')
    .action(async function (this: Command) {
      const f = this.opts<BenchFlags>();
      // The runtimes and image code load here, not at the top, so `agekit bench --help` starts fast.
      const [{ defaultDetectorPath, defaultStudentPath, shippedModelsDir }, { benchFrames }, { runBench, BENCH_SCHEDULE }, { formatBenchTable, formatRuntimeRatios }] = await Promise.all([
        import('../pipeline.ts'), import('../bench/bench-frames.ts'), import('../bench/run-bench.ts'), import('../bench/bench-table.ts'),
      ]);
      const { buildBenchReport } = await import('../bench/bench-report.ts');
      const say = (l: string) => process.stderr.write(`agekit bench: ${l}\n`);
      const runtimes = f.runtimes.split(',').map((r) => r.trim()) as RuntimeName[];
      for (const r of runtimes) if (!RUNTIME_NAMES.includes(r)) throw new UsageError(`unknown runtime "${r}"`, { where: '--runtimes', hint: `use ${RUNTIME_NAMES.join(', ')}` });
      // The default first: it is the baseline the other rows are compared with.
      const threads = f.threads ?? [...new Set([defaultThreads(), 1, availableParallelism()])];
      const detector = f.detector ?? defaultDetectorPath();
      const model = f.model ?? defaultStudentPath();
      if (!model) say(`no age model: no student.tflite in ${shippedModelsDir()} (a copy without samples/models?); measuring the detector alone. Give --model <file.tflite> to include estimation.`);
      const configs: BenchConfig[] = [];
      for (const runtime of runtimes) {
        const det = runtime === 'tfjs' ? f.detectorTfjs ?? humanBlazeface() : detector;
        if (!det) { say('tfjs: no tfjs detector (give --detector-tfjs <blazeface model.json>); skipped'); continue; }
        const m = runtime === 'tfjs' ? f.checkpoint : model;
        if (runtime === 'tfjs' && !m && model) say('tfjs: no --checkpoint given: the tfjs rows time the detector alone');
        // tfjs WASM and TFLite WASM run single-threaded in Node: one row each is enough.
        for (const t of runtime === 'tflite' ? threads : [1]) configs.push({ runtime, threads: t, detector: det, model: m });
        if (runtime === 'tflite' && f.builtin) configs.push({ runtime, threads: 1, detector: det, model: m, xnnpack: false });
      }
      const facesDir = f.faces ?? defaultFacesDir();
      const { frames, where } = await benchFrames({ imagesDir: f.images, facesDir, count: f.frames, facesPerFrame: f.facesPerFrame, size: f.size });
      const machine = await describeMachine();
      say(`machine: ${formatMachine(machine)}`);
      if (machine.emulated) say(`WARNING: running under emulation (${machine.emulated}); the speeds below say nothing about the real machine`);
      say(`frames: ${where}; schedule: ${BENCH_SCHEDULE}`);
      const results = await runBench({
        configs, frames, passes: f.passes,
        onConfig: (c) => say(`${c.runtime}, ${c.threads} thread(s)${c.xnnpack === false ? ', builtin kernels' : ''}: ${c.detector}${c.model ? ` + ${c.model}` : ''}`),
        onSkip: (c, err) => say(`${c.runtime} ${c.threads} thread(s) skipped: ${(err as Error).message}`),
      });
      for (const r of results) say(`${r.runtime} ${r.threads} thread(s): detector ops on ${r.accelerator}`);
      // With --json -, stdout is the JSON alone and the tables go to stderr.
      const tables = formatBenchTable(results) + '\n\n' + formatRuntimeRatios(results) + '\n';
      if (f.json === '-') process.stderr.write(tables);
      else process.stdout.write(tables);
      if (f.json) {
        const doc = buildBenchReport({ machine, machineAfter: await describeMachine(), frames: where, results });
        const text = JSON.stringify(doc, null, 2) + '\n';
        if (f.json === '-') process.stdout.write(text);
        else {
          await writeFileAtomic(f.json, text);
          say(`results written to ${resolve(f.json)}`);
        }
      }
    });
}
