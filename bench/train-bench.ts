/**
 * Training speed on CPU: images/s of one optimisation step at batch 32 for mobilenet96 and
 * mobilenet64 on the WASM backend with agekit's training kernels and gradients exactly as
 * `agekit train` sets them up (`fast`: replaceExisting plus the batch-norm gradient), against, in
 * the same run, the naive kernel composition with tfjs's gradients, the fast kernels without
 * replacing any tfjs kernel or gradient (`fast-no-replace`), and the pure-JS CPU backend; then
 * the share of forward and backward time, the five slowest kernels, and real decoded and
 * augmented UTKFace batches against synthetic input: a first pass that decodes every image, and
 * a second over the same images from the decoded-image cache (what every later epoch of a run
 * sees). Medians over the timed steps.
 *
 *   npm run bench:train [-- --json <file>] [--nets mobilenet96,mobilenet64] [--steps 8] [--cpu-batch 4]
 *     [--cpu-steps 1] [--no-cpu] [--no-naive] [--no-real-data]
 *
 * The JSON file holds one record per configuration: { net, backend, variant, input, batch, steps,
 * images_per_second, step_ms_median, cpu_images_per_second, ... }. images_per_second is by wall
 * clock; cpu_images_per_second by this process's CPU time (steadier on a shared machine).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { buildNet } from '../host/nets/index.ts';
import { createTrainStep } from '../host/train/train-step.ts';
import { createOptimizer } from '../host/train/optimizer.ts';
import { groundTruthTargets } from '../host/train/targets.ts';
import type { Batch } from '../host/data/batch-stream.ts';
import { batchStream } from '../host/data/batch-stream.ts';
import { CropWorkerPool, defaultCropWorkers } from '../host/data/crop-worker-pool.ts';
import { DecodedImageCache } from '../host/data/decoded-image-cache.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels, type KernelVariant } from '../host/kernels/wasm/register.ts';
import { KernelTimer } from '../host/kernels/wasm/kernel-timer.ts';
import { registerBatchNormGradient, unregisterBatchNormGradient } from '../host/train/batch-norm-gradient.ts';

interface BenchOptions {
  json?: string;
  nets: string[];
  steps: number;
  warmup: number;
  batch: number;
  cpuBatch: number;
  cpuSteps: number;
  cpu: boolean;
  naive: boolean;
  realData: boolean;
}

interface BenchRecord {
  net: string;
  backend: 'wasm' | 'cpu';
  variant: string;
  input: 'synthetic' | 'utkface';
  /** Real input only: `first-pass` reads and decodes every image; `cached` takes them from the decoded-image cache (every epoch after the first). */
  decode?: 'first-pass' | 'cached';
  batch: number;
  steps: number;
  images_per_second: number;
  step_ms_median: number;
  cpu_images_per_second: number;
  step_cpu_ms_median: number;
  forward_ms_median?: number;
  backward_share?: number;
  slowest_kernels?: { name: string; cpu_ms: number; share: number; calls: number }[];
}

function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = { nets: ['mobilenet96', 'mobilenet64'], steps: 8, warmup: 2, batch: 32, cpuBatch: 4, cpuSteps: 1, cpu: true, naive: true, realData: true };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = argv[++i];
    else if (a === '--nets') o.nets = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--steps') o.steps = num(a, argv[++i]);
    else if (a === '--warmup') o.warmup = num(a, argv[++i]);
    else if (a === '--batch') o.batch = num(a, argv[++i]);
    else if (a === '--cpu-batch') o.cpuBatch = num(a, argv[++i]);
    else if (a === '--cpu-steps') o.cpuSteps = num(a, argv[++i]);
    else if (a === '--no-cpu') o.cpu = false;
    else if (a === '--no-naive') o.naive = false;
    else if (a === '--no-real-data') o.realData = false;
    else throw new Error(`unknown argument ${a}; see the usage at the top of bench/train-bench.ts`);
  }
  return o;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s: string) => process.stderr.write(`${s}\n`);

function syntheticBatch(n: number, h: number, w: number, seed: number): Batch {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * h * w * 3);
  for (let i = 0; i < x.length; i++) x[i] = rand() * 255 - 128;
  return { n, x, ages: Float32Array.from({ length: n }, () => 1 + rand() * 80), samples: [] };
}

interface Trainer {
  model: tf.LayersModel;
  step: (b: Batch) => unknown;
  size: [number, number];
}

function makeTrainer(net: string): Trainer {
  const model = buildNet(net, { head: 'regression', seed: 1 });
  const optimizer = createOptimizer({ optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 });
  const step = createTrainStep({ model, optimizer, targets: groundTruthTargets('regression') });
  const size = model.inputs[0].shape.slice(1, 3) as [number, number];
  return { model, step, size };
}

interface StepTimes { wall: number[]; cpu: number[] }

/** Wall and CPU time of `steps` steps after `warmup` steps, each fed by `next()` (fetching the batch is not timed). */
async function timeSteps(trainer: Trainer, next: () => Promise<Batch> | Batch, warmup: number, steps: number): Promise<StepTimes> {
  const times: StepTimes = { wall: [], cpu: [] };
  for (let i = 0; i < warmup + steps; i++) {
    const batch = await next();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    trainer.step(batch);
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      times.wall.push(performance.now() - t0);
      times.cpu.push((c.user + c.system) / 1000);
    }
  }
  return times;
}

function forwardMs(trainer: Trainer, batch: Batch, runs: number): number {
  const [h, w] = trainer.size;
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.n, h, w, 3]);
      (trainer.model.apply(x, { training: true }) as tf.Tensor).dataSync();
    });
    if (i > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

/** The five kernels with the most CPU time in one step, with their share of the step's CPU time. */
function slowestKernels(trainer: Trainer, batch: Batch): { name: string; cpu_ms: number; share: number; calls: number }[] {
  const timer = new KernelTimer('wasm');
  timer.start();
  const c0 = process.cpuUsage();
  try {
    trainer.step(batch);
  } finally {
    timer.stop();
  }
  const c = process.cpuUsage(c0);
  const stepMs = (c.user + c.system) / 1000;
  return timer.slowest(5).map((k) => ({ name: k.name, cpu_ms: Math.round(k.cpuMs), share: Math.round((k.cpuMs / stepMs) * 1000) / 1000, calls: k.calls }));
}

/**
 * Kernels and gradients for a variant. `fast` is what `agekit train` runs: every agekit kernel,
 * the replacements and agekit's batch-norm gradient (host/train/batch-norm-gradient.ts); the
 * baselines keep tfjs's gradients.
 */
async function useWasm(variant: KernelVariant | 'fast-no-replace'): Promise<string[]> {
  await tf.setBackend('wasm');
  await tf.ready();
  unregisterWasmTrainingKernels();
  unregisterBatchNormGradient();
  if (variant === 'fast-no-replace') return registerWasmTrainingKernels({ variant: 'fast', replaceExisting: false });
  const names = registerWasmTrainingKernels({ variant, replaceExisting: true });
  if (variant === 'fast' && registerBatchNormGradient()) names.push('FusedBatchNorm gradient');
  return names;
}

/** A training-like stream of real UTKFace batches: the crop workers and their decoded-image cache, one pool for every pass. */
async function realDataSource(size: [number, number], batch: number, images: number) {
  const dir = resolve(process.env.AGEKIT_DATA ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'utkface'));
  if (!existsSync(resolve(dir, 'labels.csv'))) throw new Error(`UTKFace not found at ${dir} (set AGEKIT_DATA or pass --no-real-data)`);
  const ds = await loadDataset(`utkface:${dir}:split=train:limit=${images}:seed=1`);
  const cache = new DecodedImageCache();
  const pool = new CropWorkerPool(defaultCropWorkers(), { decodeCache: cache });
  return {
    cache, pool,
    /** One epoch over the subset, as `agekit train` reads it (default augmentation, shuffled). */
    pass: (seed: number) => {
      const it = batchStream(ds, { inputSize: size, preprocessing: 'vggface2', augmentation: 'default', batchSize: batch, shuffle: true, seed, dropLast: true, pool });
      return {
        next: async (): Promise<Batch> => {
          const r = await it.next();
          if (r.done) throw new Error('the UTKFace subset ended during the benchmark');
          return r.value;
        },
        close: async () => { await it.return(undefined); },
      };
    },
  };
}

async function benchNet(net: string, o: BenchOptions): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  const perSecond = (batch: number, ms: number) => Number((batch / (ms / 1000)).toPrecision(3));
  const rec = (r: Omit<BenchRecord, 'images_per_second' | 'step_ms_median' | 'cpu_images_per_second' | 'step_cpu_ms_median'>, times: StepTimes): BenchRecord => {
    const ms = median(times.wall);
    const cpuMs = median(times.cpu);
    const full = { ...r, images_per_second: perSecond(r.batch, ms), step_ms_median: Math.round(ms), cpu_images_per_second: perSecond(r.batch, cpuMs), step_cpu_ms_median: Math.round(cpuMs) };
    log(`${net.padEnd(12)} ${r.backend.padEnd(4)} ${r.variant.padEnd(16)} ${(r.decode ? `${r.input} ${r.decode}` : r.input).padEnd(20)} batch ${r.batch}: ${full.images_per_second} images/s wall (median step ${full.step_ms_median} ms over ${times.wall.length}), ${full.cpu_images_per_second} images per CPU-second`);
    records.push(full);
    return full;
  };

  log(`${net}: wasm + ${(await useWasm('fast')).join(', ')}`);
  let trainer = makeTrainer(net);
  const synth = syntheticBatch(o.batch, trainer.size[0], trainer.size[1], 7);
  const fastTimes = await timeSteps(trainer, () => synth, o.warmup, o.steps);
  const fwd = forwardMs(trainer, synth, Math.max(3, Math.floor(o.steps / 2)));
  const fast = rec({ net, backend: 'wasm', variant: 'fast', input: 'synthetic', batch: o.batch, steps: o.steps }, fastTimes);
  fast.forward_ms_median = Math.round(fwd);
  fast.backward_share = Math.round((1 - fwd / fast.step_ms_median) * 1000) / 1000;
  fast.slowest_kernels = slowestKernels(trainer, synth);
  log(`  forward ${fast.forward_ms_median} ms (${Math.round((1 - fast.backward_share) * 100)}% of the step), backward + update ${Math.round(fast.backward_share * 100)}%`);
  log(`  slowest kernels (CPU time, share of the step): ${fast.slowest_kernels.map((k) => `${k.name} ${k.cpu_ms} ms (${Math.round(k.share * 100)}%, ${k.calls} calls)`).join(', ')}`);

  if (o.realData) {
    // The first pass reads and decodes every image (as epoch 1 of a run does); the second reads
    // the same images from the decoded-image cache, as every later epoch of `agekit train` does.
    const source = await realDataSource(trainer.size, o.batch, (o.warmup + o.steps) * o.batch);
    try {
      for (const [decode, seed] of [['first-pass', 1], ['cached', 2]] as const) {
        const pass = source.pass(seed);
        try {
          const times = await timeStepsWall(trainer, pass.next, o.warmup, o.steps);
          const r = rec({ net, backend: 'wasm', variant: 'fast', input: 'utkface', decode, batch: o.batch, steps: o.steps }, times);
          const what = decode === 'first-pass' ? 'first pass, every image read and decoded' : 'later epochs, decoded images from the cache';
          log(`  real data (${what}; default augmentation in ${source.pool.size} worker(s), waiting included): ${(r.images_per_second / fast.images_per_second).toFixed(2)}x synthetic by wall clock`);
        } finally {
          await pass.close();
        }
      }
      const c = source.cache.stats();
      log(`  decoded-image cache: ${c.images} images, ${(c.bytes / 2 ** 20).toFixed(1)} MB, ${c.hits} hits / ${c.misses} misses`);
    } finally {
      await source.pool.close();
    }
  }
  trainer.model.dispose();

  await useWasm('fast-no-replace');
  trainer = makeTrainer(net);
  rec({ net, backend: 'wasm', variant: 'fast-no-replace', input: 'synthetic', batch: o.batch, steps: o.steps },
    await timeSteps(trainer, () => synth, o.warmup, o.steps));
  trainer.model.dispose();

  if (o.naive) {
    await useWasm('naive');
    trainer = makeTrainer(net);
    const naiveSteps = Math.max(2, Math.ceil(o.steps / 3));
    const naive = rec({ net, backend: 'wasm', variant: 'naive', input: 'synthetic', batch: o.batch, steps: naiveSteps },
      await timeSteps(trainer, () => synth, 1, naiveSteps));
    log(`  fast / naive: ${(fast.images_per_second / naive.images_per_second).toFixed(1)}x wall, ${(fast.cpu_images_per_second / naive.cpu_images_per_second).toFixed(1)}x CPU`);
    trainer.model.dispose();
  }
  if (o.cpu) {
    await tf.setBackend('cpu');
    trainer = makeTrainer(net);
    const small = syntheticBatch(o.cpuBatch, trainer.size[0], trainer.size[1], 7);
    const cpu = rec({ net, backend: 'cpu', variant: 'tfjs-cpu', input: 'synthetic', batch: o.cpuBatch, steps: o.cpuSteps },
      await timeSteps(trainer, () => small, 1, o.cpuSteps));
    log(`  fast wasm / cpu backend: ${(fast.images_per_second / cpu.images_per_second).toFixed(0)}x wall, ${(fast.cpu_images_per_second / cpu.cpu_images_per_second).toFixed(0)}x CPU`);
    trainer.model.dispose();
  }
  return records;
}

/** Like timeSteps, but the clocks include waiting for the next batch (the input pipeline's share). */
async function timeStepsWall(trainer: Trainer, next: () => Promise<Batch>, warmup: number, steps: number): Promise<StepTimes> {
  const times: StepTimes = { wall: [], cpu: [] };
  for (let i = 0; i < warmup + steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    trainer.step(await next());
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      times.wall.push(performance.now() - t0);
      times.cpu.push((c.user + c.system) / 1000);
    }
  }
  return times;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(`train-bench: ${o.nets.join(', ')}, batch ${o.batch} (cpu backend batch ${o.cpuBatch}), ${o.steps} timed steps after ${o.warmup} warm-up; tfjs ${tf.version_core}, one WASM thread`);
  log('note: medians on a shared machine; other processes make figures noisy');
  const records: BenchRecord[] = [];
  for (const net of o.nets) records.push(...await benchNet(net, o));
  for (const net of o.nets) {
    const fast = records.find((r) => r.net === net && r.variant === 'fast' && r.input === 'synthetic');
    const others = records.filter((r) => r.net === net && r !== fast);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
    if (fast) {
      process.stdout.write(`${net}: wasm fast ${fast.images_per_second} images/s (${fast.cpu_images_per_second} per CPU-second); ${others.map((r) =>
        `${r.backend} ${r.variant} ${r.input}${r.decode ? ` ${r.decode}` : ''} ${r.images_per_second} (fast = ${ratio(fast.images_per_second, r.images_per_second)} wall, ${ratio(fast.cpu_images_per_second, r.cpu_images_per_second)} CPU)`).join('; ')}\n`);
    }
  }
  if (o.json) {
    await writeFileAtomic(o.json, `${JSON.stringify(records, null, 2)}\n`);
    log(`wrote ${records.length} records to ${o.json}`);
  }
}

await main();
