/**
 * Input-pipeline speed: images/s of batchStream alone (decode with sharp, crop, default
 * augmentation, vggface2 normalization) on real UTKFace images at 64x64 and 96x96, with the
 * work in the calling thread (the baseline, measured in the same run) and in 1..N worker
 * threads (a pool started once, as a training loop would, its start-up time printed apart);
 * then the same stream under a consumer that keeps the main thread busy for a fixed time per
 * batch (as tfjs WASM training does), to show how much of the preparation overlaps; then
 * decoding a large photo at reduced scale against a full decode. Medians over repeats.
 *
 *   npm run bench:data [-- --images 512] [--repeats 3] [--consumer-ms 150] [--json <file>]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { cropFace, DEFAULT_CROP } from '../core/contract/face-crop.ts';
import { batchStream, type BatchStreamOptions } from '../host/data/batch-stream.ts';
import { CropWorkerPool, defaultCropWorkers } from '../host/data/crop-worker-pool.ts';
import type { Dataset } from '../host/data/dataset.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { cropJobRgb } from '../host/data/prepare-crops.ts';
import { readRgb } from '../core/images.ts';

interface Args { images: number; repeats: number; consumerMs: number; json?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { images: 512, repeats: 3, consumerMs: 150 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    const int = () => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new Error(`${argv[i]}: expected an integer, got "${v}"`); i++; return n; };
    if (argv[i] === '--images') a.images = int();
    else if (argv[i] === '--repeats') a.repeats = Math.max(1, int());
    else if (argv[i] === '--consumer-ms') a.consumerMs = int();
    else if (argv[i] === '--json') { a.json = v; i++; }
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };

/** Keep the main thread busy, as a synchronous tfjs WASM step does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
}

async function runStream(ds: Dataset, opts: BatchStreamOptions, consumerMs = 0): Promise<{ seconds: number; images: number }> {
  const t0 = performance.now();
  let images = 0;
  for await (const b of batchStream(ds, opts)) {
    images += b.n;
    if (consumerMs > 0) busy(consumerMs);
  }
  return { seconds: (performance.now() - t0) / 1000, images };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = resolve(process.env.AGEKIT_DATA ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'utkface'));
  const ds = await loadDataset(`utkface:${dir}:split=val:limit=${args.images}`);
  const maxWorkers = Math.max(1, defaultCropWorkers());
  const workerCounts = [...new Set([0, 1, maxWorkers, 2])].sort((a, b) => a - b);
  process.stderr.write(`bench:data on ${ds.samples.length} UTKFace val images (200x200 JPEG), batch 32, augmentation default, vggface2; ${args.repeats} repeats; sharp ${sharp.versions.sharp ?? ''} libvips ${sharp.versions.vips}\n`);
  const records: Record<string, unknown>[] = [];

  // Pools are started once and reused, as a training loop does across epochs.
  const pools = new Map<number, CropWorkerPool>();
  console.log('\n# crop worker start-up (pool creation to the first crop back), ms');
  for (const workers of workerCounts.filter((w) => w > 0)) {
    const t = performance.now();
    const pool = new CropWorkerPool(workers);
    await Promise.all(Array.from({ length: workers }, () => pool.run({ jobs: [{ path: ds.samples[0].path }], outW: 8, outH: 8, preprocessing: 'no', crop: DEFAULT_CROP })));
    const ms = performance.now() - t;
    pools.set(workers, pool);
    console.log(`workers ${workers}: ${ms.toFixed(0)}`);
    records.push({ test: 'startup', workers, ms });
  }
  try {
    console.log('\n# stream alone (consumer idle): images/s, median of repeats');
    console.log('size   workers  img/s   vs in-thread');
    for (const size of [64, 96]) {
      let baseline = NaN;
      for (const workers of workerCounts) {
        const rates: number[] = [];
        for (let r = 0; r < args.repeats; r++) {
          const res = await runStream(ds, { inputSize: [size, size], preprocessing: 'vggface2', augmentation: 'default', batchSize: 32, shuffle: true, seed: r, workers, pool: pools.get(workers) });
          rates.push(res.images / res.seconds);
        }
        const rate = median(rates);
        if (workers === 0) baseline = rate;
        console.log(`${String(size).padEnd(6)} ${String(workers).padEnd(8)} ${rate.toFixed(0).padStart(5)}   ${(rate / baseline).toFixed(2).padStart(5)}x`);
        records.push({ test: 'stream', size, workers, images_per_second: rate, ratio_vs_in_thread: rate / baseline, repeats: rates });
      }
    }

    if (args.consumerMs > 0) {
      console.log(`\n# with a consumer busy ${args.consumerMs} ms per batch of 32 on the main thread (64x64): main-thread wait for data per batch`);
      console.log('workers  total s  ideal s  wait ms/batch  vs in-thread');
      let baseWait = NaN;
      for (const workers of [0, maxWorkers]) {
        const res = await runStream(ds, { inputSize: [64, 64], preprocessing: 'vggface2', augmentation: 'default', batchSize: 32, shuffle: true, seed: 0, workers, pool: pools.get(workers) }, args.consumerMs);
        const batches = Math.ceil(ds.samples.length / 32);
        const ideal = (batches * args.consumerMs) / 1000;
        const wait = ((res.seconds - ideal) * 1000) / batches;
        if (workers === 0) baseWait = wait;
        console.log(`${String(workers).padEnd(8)} ${res.seconds.toFixed(2).padStart(7)}  ${ideal.toFixed(2).padStart(7)}  ${wait.toFixed(1).padStart(8)}       ${(wait / baseWait).toFixed(2)}x`);
        records.push({ test: 'overlap', size: 64, workers, consumer_ms: args.consumerMs, seconds: res.seconds, ideal_seconds: ideal, wait_ms_per_batch: wait });
      }
    }
  } finally {
    for (const pool of pools.values()) await pool.close();
  }

  // A large photo: decoding at reduced scale against a full decode, same crop.
  const tmp = await mkdtemp(join(tmpdir(), 'agekit-bench-data-'));
  try {
    const big = join(tmp, 'big.jpg');
    const face = await sharp(ds.samples[0].path).resize(800, 800).toBuffer();
    await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 90, g: 120, b: 60 } } }).composite([{ input: face, left: 500, top: 300 }]).jpeg({ quality: 92 }).toFile(big);
    const box = { x: 500, y: 300, w: 800, h: 800 };
    const time = async (fn: () => Promise<unknown>) => { const ts: number[] = []; for (let i = 0; i < 12; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); } return median(ts.slice(2)); };
    const full = await time(async () => cropFace(await readRgb(big), box, DEFAULT_CROP, 64, 64));
    const reduced = await time(() => cropJobRgb({ path: big, box }, 64, 64, DEFAULT_CROP));
    console.log('\n# 1600x1200 JPEG, 800 px face -> 64x64 crop: ms per image (median)');
    console.log(`full decode + cropFace   ${full.toFixed(1)}\nreduced-scale decode     ${reduced.toFixed(1)}   (${(full / reduced).toFixed(1)}x faster)`);
    records.push({ test: 'large_photo', full_decode_ms: full, reduced_decode_ms: reduced, ratio: full / reduced });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (args.json) {
    await writeFileAtomic(args.json, JSON.stringify(records, null, 2) + '\n');
    process.stderr.write(`wrote ${resolve(args.json)}\n`);
  }
}

main().catch((err) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exitCode = 1; });
