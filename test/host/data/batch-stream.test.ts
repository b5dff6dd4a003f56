import test from 'ava';
import { join } from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { batchStream, type Batch, type BatchStreamOptions } from '../../../host/data/batch-stream.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { drawAugmentation, applyPhotometric } from '../../../host/data/augmentation.ts';
import { SeededRandom, mixSeeds } from '../../../host/data/seeded-random.ts';
import { cropJobRgb, decodeShrink } from '../../../host/data/prepare-crops.ts';
import { CropWorkerPool } from '../../../host/data/crop-worker-pool.ts';
import { SKIP_REASONS } from '../../../host/data/skip-reasons.ts';
import { readRgb } from '../../../core/images.ts';
import { cropFace, DEFAULT_CROP } from '../../../core/contract/face-crop.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import type { Dataset } from '../../../host/data/dataset.ts';
import { dataTest } from '../../support/shared-data.ts';
import { copyRealImages, tempDir, writeBadImages, writeLargePhoto } from './data-fixtures.ts';

const dtest = dataTest(test);

async function collect(ds: Dataset, opts: BatchStreamOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of batchStream(ds, opts)) out.push(b);
  return out;
}

/** A csv: dataset of 7 real faces, one with a face box. */
async function smallDataset(dir: string): Promise<Dataset> {
  const copies = await copyRealImages(dir, 7);
  const rows = copies.map((c, i) => `${c.rel},${c.age},${i === 2 ? '30,40,100,120' : ',,,'},${i % 2 ? 'val' : 'train'}`);
  await writeFile(join(dir, 'faces.csv'), ['path,age,x,y,w,h,split', ...rows].join('\n'));
  return loadDataset(`csv:${join(dir, 'faces.csv')}`);
}

dtest('batches are [n, h, w, 3] crops normalized exactly as cropFace + normalizePixels give them, with their ages', async (t) => {
  const tmp = await tempDir();
  try {
    const ds = await smallDataset(tmp.dir);
    const batches = await collect(ds, { inputSize: [48, 40], preprocessing: 'vggface2', batchSize: 3, workers: 1 });
    t.deepEqual(batches.map((b) => b.n), [3, 3, 1]);
    let k = 0;
    for (const b of batches) {
      t.is(b.x.length, b.n * 48 * 40 * 3);
      t.is(b.ages.length, b.n);
      for (let i = 0; i < b.n; i++, k++) {
        const s = ds.samples[k];
        t.is(b.samples[i], s);
        t.is(b.ages[i], s.age!);
        const img = await readRgb(s.path);
        const want = normalizePixels(cropFace(img, s.box ?? { x: 0, y: 0, w: img.width, h: img.height }, DEFAULT_CROP, 40, 48), 'vggface2');
        t.deepEqual(b.x.subarray(i * want.length, (i + 1) * want.length), want, s.path);
      }
    }
    t.is(k, ds.samples.length);
    const dropped = await collect(ds, { inputSize: [16, 16], preprocessing: 'unit', batchSize: 3, dropLast: true, workers: 0 });
    t.deepEqual(dropped.map((b) => b.n), [3, 3]);
  } finally { await tmp.cleanup(); }
});

dtest('an augmented crop is cropFace with the drawn jitter, then (x-128)a+128+b, then normalization; workers do not change it', async (t) => {
  const tmp = await tempDir();
  try {
    const ds = await smallDataset(tmp.dir);
    const opts: BatchStreamOptions = { inputSize: [32, 32], preprocessing: 'tf', augmentation: 'default', batchSize: 4, seed: 11 };
    const inThread = await collect(ds, { ...opts, workers: 0 });
    const oneWorker = await collect(ds, { ...opts, workers: 1 });
    const twoWorkers = await collect(ds, { ...opts, workers: 2, prefetch: 1 });
    t.deepEqual(oneWorker.map((b) => b.x), inThread.map((b) => b.x));
    t.deepEqual(twoWorkers.map((b) => b.x), inThread.map((b) => b.x));
    const x = new Float32Array(inThread.flatMap((b) => [...b.x]));
    for (let p = 0; p < ds.samples.length; p++) {
      const s = ds.samples[p];
      const aug = drawAugmentation('default', new SeededRandom(mixSeeds(11, p)))!;
      const img = await readRgb(s.path);
      const rgb = cropFace(img, s.box ?? { x: 0, y: 0, w: img.width, h: img.height }, DEFAULT_CROP, 32, 32, aug.jitter);
      const want = normalizePixels(applyPhotometric(rgb, aug), 'tf');
      t.deepEqual(x.subarray(p * want.length, (p + 1) * want.length), want, s.path);
    }
    const other = await collect(ds, { ...opts, seed: 12, workers: 0 });
    t.notDeepEqual(other[0].x, inThread[0].x);
    const plain = await collect(ds, { ...opts, augmentation: 'no', workers: 0 });
    t.notDeepEqual(plain[0].x, inThread[0].x);
  } finally { await tmp.cleanup(); }
});

dtest('a pool passed in serves several streams and stays open after them', async (t) => {
  const tmp = await tempDir();
  const pool = new CropWorkerPool(1);
  try {
    const ds = await smallDataset(tmp.dir);
    const opts: BatchStreamOptions = { inputSize: [16, 16], preprocessing: 'vggface2', augmentation: 'default', batchSize: 4, seed: 3 };
    const want = await collect(ds, { ...opts, workers: 0 });
    for (let epoch = 0; epoch < 2; epoch++) t.deepEqual((await collect(ds, { ...opts, pool })).map((b) => b.x), want.map((b) => b.x));
    const again = await pool.run({ jobs: [{ path: ds.samples[0].path }], outW: 8, outH: 8, preprocessing: 'no', crop: { margin: 0, square: true } });
    t.deepEqual(again.ok, [0], 'the pool still works after the streams ended');
  } finally {
    await pool.close();
    await tmp.cleanup();
  }
});

dtest('shuffle is a seeded permutation of the samples', async (t) => {
  const tmp = await tempDir();
  try {
    const ds = await smallDataset(tmp.dir);
    const order = async (seed: number) => (await collect(ds, { inputSize: [8, 8], preprocessing: 'no', batchSize: 2, shuffle: true, seed, workers: 0 })).flatMap((b) => b.samples.map((s) => s.path));
    const a = await order(1), b = await order(1), c = await order(2);
    t.deepEqual(a, b);
    t.notDeepEqual(a, c);
    t.deepEqual([...a].sort(), ds.samples.map((s) => s.path).sort());
  } finally { await tmp.cleanup(); }
});

dtest('images that fail at decode time (truncated, not an image, deleted) are left out and reported through onSkip', async (t) => {
  const tmp = await tempDir();
  try {
    const copies = await copyRealImages(tmp.dir, 3);
    const bad = await writeBadImages(tmp.dir);
    const ds = await loadDataset(`utkface:${tmp.dir}`); // no verification: the stream must cope
    t.is(ds.samples.length, 5);
    await rm(copies[1].abs);
    const skipped: [string, string, string | undefined][] = [];
    const batches = await collect(ds, { inputSize: [24, 24], preprocessing: 'vggface2', batchSize: 5, workers: 1, onSkip: (s, reason, detail) => skipped.push([s.path, reason, detail]) });
    t.is(batches.length, 1);
    t.deepEqual(batches[0].samples.map((s) => s.path).sort(), [copies[0].abs, copies[2].abs].sort());
    t.is(batches[0].x.length, 2 * 24 * 24 * 3);
    t.deepEqual(skipped.map(([p, r]) => [p, r]).sort(), [
      [bad.truncated, SKIP_REASONS.unreadableImage], [bad.text, SKIP_REASONS.unreadableImage], [copies[1].abs, SKIP_REASONS.missingFile],
    ].sort());
    for (const [p, , detail] of skipped) t.true(detail!.includes(p), detail);
    // A batch whose every image fails is not yielded at all.
    const onlyBad: Dataset = { ...ds, samples: ds.samples.filter((s) => s.path === bad.text || s.path === bad.truncated) };
    t.deepEqual(await collect(onlyBad, { inputSize: [8, 8], preprocessing: 'no', workers: 0 }), []);
  } finally { await tmp.cleanup(); }
});

dtest('unlabelled samples get NaN ages', async (t) => {
  const tmp = await tempDir();
  try {
    await copyRealImages(tmp.dir, 2, 'x');
    const ds = await loadDataset(`folder:${tmp.dir}`);
    const [b] = await collect(ds, { inputSize: [8, 8], preprocessing: 'unit', workers: 0 });
    t.is(b.n, 2);
    t.true(Number.isNaN(b.ages[0]) && Number.isNaN(b.ages[1]));
  } finally { await tmp.cleanup(); }
});

dataTest(test.serial)('breaking out of the stream stops its worker threads; small streams start none', async (t) => {
  const tmp = await tempDir();
  try {
    const ds = await smallDataset(tmp.dir);
    const workersNow = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
    const before = workersNow();
    let seen = 0;
    for await (const b of batchStream(ds, { inputSize: [16, 16], preprocessing: 'unit', batchSize: 1, workers: 2, prefetch: 3 })) {
      seen += b.n;
      t.true(workersNow() > before, 'workers are running inside the loop');
      break;
    }
    t.is(seen, 1);
    t.is(workersNow(), before);
    // A stream of a few samples does not start workers unless asked: start-up would cost more than it saves.
    for await (const b of batchStream(ds, { inputSize: [16, 16], preprocessing: 'unit', batchSize: 2 })) {
      t.is(b.n, 2);
      t.is(workersNow(), before, 'a 7-sample stream prepares in this thread');
      break;
    }
  } finally { await tmp.cleanup(); }
});

test('bad stream options are DataErrors naming the value', async (t) => {
  const ds: Dataset = { spec: 'x', kind: 'folder', root: '/', samples: [{ path: '/nope.jpg' }], skipped: { counts: {}, examples: {} }, splits: [] };
  await t.throwsAsync(collect(ds, { inputSize: [0, 64], preprocessing: 'no' }), { message: /inputSize.*\[0,64\]/ });
  await t.throwsAsync(collect(ds, { inputSize: [64, 64], preprocessing: 'no', batchSize: 0 }), { message: /batchSize.*0/ });
  await t.throwsAsync(collect(ds, { inputSize: [64, 64], preprocessing: 'bgr' as never }), { message: /unknown preprocessing "bgr"/ });
  await t.throwsAsync(collect(ds, { inputSize: [64, 64], preprocessing: 'no', augmentation: 'strong' as never }), { message: /unknown augmentation "strong"/ });
});

dtest('a large photo decodes at reduced scale and still gives (nearly) the full-decode crop', async (t) => {
  const tmp = await tempDir();
  try {
    const { path: big, box } = await writeLargePhoto(tmp.dir);
    t.is(decodeShrink(box, 64, 64), 8, 'an 800 px face for a 64 px crop decodes at 1/8');
    const fast = await cropJobRgb({ path: big, box }, 64, 64, DEFAULT_CROP);
    const full = await readRgb(big);
    const slow = cropFace(full, box, DEFAULT_CROP, 64, 64);
    let diff = 0;
    for (let i = 0; i < fast.length; i++) diff += Math.abs(fast[i] - slow[i]);
    diff /= fast.length;
    t.true(diff < 4, `mean abs difference ${diff.toFixed(2)} grey levels`);
    t.is(decodeShrink({ x: 0, y: 0, w: 200, h: 200 }, 64, 64), 1, 'UTKFace 200 px faces decode at full size');
  } finally { await tmp.cleanup(); }
});
