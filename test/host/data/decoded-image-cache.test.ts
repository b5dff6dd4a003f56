import test from 'ava';
import { join } from 'node:path';
import { unlink, writeFile } from 'node:fs/promises';
import { batchStream, type Batch, type BatchStreamOptions } from '../../../host/data/batch-stream.ts';
import { CropWorkerPool } from '../../../host/data/crop-worker-pool.ts';
import { DecodedImageCache, parseDecodeCacheMb } from '../../../host/data/decoded-image-cache.ts';
import { prepareCrops, type CropRequest } from '../../../host/data/prepare-crops.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import type { Dataset } from '../../../host/data/dataset.ts';
import { DEFAULT_CROP } from '../../../core/contract/face-crop.ts';
import { dataTest } from '../../support/shared-data.ts';
import { copyRealImages, tempDir, writeLargePhoto } from './data-fixtures.ts';

const dtest = dataTest(test);
const FACE_BYTES = 200 * 200 * 3; // one decoded UTKFace image

async function collect(ds: Dataset, opts: BatchStreamOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of batchStream(ds, opts)) out.push(b);
  return out;
}

async function realDataset(dir: string, n: number): Promise<Dataset> {
  const copies = await copyRealImages(dir, n);
  await writeFile(join(dir, 'faces.csv'), ['path,age', ...copies.map((c) => `${c.rel},${c.age}`)].join('\n'));
  return loadDataset(`csv:${join(dir, 'faces.csv')}`);
}

function optsOf(seed: number): BatchStreamOptions {
  return { inputSize: [40, 40], preprocessing: 'vggface2', augmentation: 'default', batchSize: 8, shuffle: true, seed, workers: 0 };
}

/** Two augmented, shuffled epochs, one after the other, as a training run reads them. */
async function epochs(ds: Dataset, pool?: CropWorkerPool): Promise<Batch[][]> {
  return [await collect(ds, { ...optsOf(11), pool }), await collect(ds, { ...optsOf(12), pool })];
}

dtest('with a decoded-image cache, augmented epochs are byte-identical to decoding every time, and the second epoch decodes nothing', async (t) => {
  const tmp = await tempDir();
  const cache = new DecodedImageCache(64 * FACE_BYTES);
  const pool = new CropWorkerPool(1, { decodeCache: cache }); // a real worker thread: pixels cross it in shared memory
  try {
    const ds = await realDataset(tmp.dir, 24);
    const want = await epochs(ds);
    const [first, second] = await epochs(ds, pool);
    t.deepEqual(first.map((b) => b.x), want[0].map((b) => b.x));
    t.deepEqual(second.map((b) => b.x), want[1].map((b) => b.x));
    t.like(cache.stats(), { images: 24, bytes: 24 * FACE_BYTES, misses: 24, hits: 24, full: false });
    // The files are no longer needed once cached: the second pass did not read them.
    for (const s of ds.samples) await unlink(s.path);
    const third = await collect(ds, { ...optsOf(12), pool });
    t.deepEqual(third.map((b) => b.x), want[1].map((b) => b.x));
  } finally {
    await pool.close();
    await tmp.cleanup();
  }
});

dtest('the cache stops growing at its budget; images beyond it are decoded each time and batches stay the same', async (t) => {
  const tmp = await tempDir();
  const cache = new DecodedImageCache(5 * FACE_BYTES + 10);
  const pool = new CropWorkerPool(0, { decodeCache: cache });
  try {
    const ds = await realDataset(tmp.dir, 16);
    const want = await epochs(ds);
    const got = await epochs(ds, pool);
    t.deepEqual(got.map((e) => e.map((b) => b.x)), want.map((e) => e.map((b) => b.x)));
    const s = cache.stats();
    t.is(s.images, 5);
    t.true(s.full);
    t.true(s.bytes <= s.budgetBytes);
    t.is(s.hits + s.misses, 32, 'every read looked the image up');
    t.true(s.hits >= 5 && s.hits < 16, `second epoch: only the 5 cached images hit (${s.hits} hits)`);
    t.false(cache.accepting, 'workers are no longer asked to send decodes back');
  } finally {
    await pool.close();
    await tmp.cleanup();
  }
});

dtest('a reduced-scale decode of a large photo is cached for its box, and a box needing another scale decodes afresh', async (t) => {
  const tmp = await tempDir();
  try {
    const { path: big, box: bigBox } = await writeLargePhoto(tmp.dir); // the face box decodes at 1/8
    const req = (box: { x: number; y: number; w: number; h: number }): CropRequest => ({ jobs: [{ path: big, box }], outW: 64, outH: 64, preprocessing: 'no', crop: DEFAULT_CROP });
    const smallBox = { x: 600, y: 400, w: 150, h: 150 }; // decodes at full size
    const cold = await prepareCrops({ ...req(bigBox), returnDecoded: true });
    const decoded = cold.decoded![0].image;
    t.deepEqual([decoded.width, decoded.height, decoded.sourceWidth, decoded.sourceHeight], [200, 150, 1600, 1200]);
    const warm = await prepareCrops({ ...req(bigBox), jobs: [{ path: big, box: bigBox, decoded }] });
    t.deepEqual(warm.x, cold.x, 'the cached 1/8 decode gives the same crop');
    const other = await prepareCrops({ ...req(smallBox), jobs: [{ path: big, box: smallBox, decoded }], returnDecoded: true });
    const fresh = await prepareCrops(req(smallBox));
    t.deepEqual(other.x, fresh.x, 'a small box ignores the 1/8 decode');
    t.is(other.decoded![0].image.width, 1600, 'and decodes the photo at full size');
  } finally { await tmp.cleanup(); }
});

test('DecodedImageCache refuses what does not fit and counts hits and misses; --decode-cache parses MB', (t) => {
  const cache = new DecodedImageCache(100);
  const img = (bytes: number) => ({ width: 1, height: 1, data: new SharedArrayBuffer(bytes), sourceWidth: 1, sourceHeight: 1 });
  t.true(cache.offer('a', img(60)));
  t.false(cache.offer('b', img(60)));
  t.true(cache.offer('a', img(60)), 'an image already held is kept as it is');
  t.truthy(cache.get('a'));
  t.is(cache.get('b'), undefined);
  t.like(cache.stats(), { images: 1, bytes: 60, hits: 1, misses: 1, full: true });
  cache.clear();
  t.like(cache.stats(), { images: 0, bytes: 0 });
  t.is(parseDecodeCacheMb('2'), 2 * 2 ** 20);
  t.is(parseDecodeCacheMb('0'), 0);
  t.throws(() => parseDecodeCacheMb('-1'), { message: /--decode-cache.*expected a size in MB/ });
  t.throws(() => parseDecodeCacheMb('lots'), { message: /--decode-cache/ });
  t.throws(() => new DecodedImageCache(-1), { message: /budget must be 0 or more/ });
});
