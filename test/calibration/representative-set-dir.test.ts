// Representative sets built from real UTKFace faces: the sample is stratified by age decade,
// the manifest says what the crops are, the stored pixels are exactly cropFace's output for the
// chosen faces (before normalization), samples() gives normalizePixels of them, the device's
// collected sets and agekit-built sets read with one reader, and bad sets fail clearly.
import test from 'ava';
import { mkdtemp, readFile, writeFile, mkdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../../core/errors.ts';
import { cropFace } from '../../core/contract/face-crop.ts';
import { normalizePixels } from '../../core/contract/preprocessing.ts';
import { CalibrationCollector } from '../../device/sinks/calibration-collector.ts';
import type { FramePixels, FrameResult } from '../../device/stages.ts';
import { readRgb } from '../../core/images.ts';
import { decadeOf } from '../../host/eval/metrics.ts';
import { loadDataset } from '../../host/data/load-dataset.ts';
import { buildRepresentativeSet, type BuiltSet } from '../../calibration/build-representative-set.ts';
import { openRepresentativeSet, writeRepresentativeSet } from '../../core/contract/representative-set-dir.ts';
import { checkRepresentativeSet } from '../../calibration/representative-set.ts';
import { decadeLabel, stratifiedSample } from '../../calibration/stratified-sample.ts';
import { dataTest, hasUtkface, utkfaceDir } from '../support/shared-data.ts';

let root = '';
let built: BuiltSet | undefined;
const spec = () => `utkface:${utkfaceDir()}:split=train:limit=400:seed=3`;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'agekit-calset-'));
  if (hasUtkface()) {
    built = await buildRepresentativeSet({ dataset: spec(), samples: 60, out: join(root, 'set'), inputSize: [48, 40], preprocessing: 'tf', crop: { margin: 0.1, square: true }, seed: 7 });
  }
});

dataTest(test)('the sample is stratified by decade in proportion to the data, every decade present', async (t) => {
  const ds = await loadDataset(spec());
  const share = new Map<string, number>();
  for (const s of ds.samples) share.set(decadeLabel(decadeOf(s.age!)), (share.get(decadeLabel(decadeOf(s.age!))) ?? 0) + 1);
  const m = built!.manifest;
  t.is(m.count, 60);
  t.is(m.stratification, 'decade');
  t.is(Object.values(m.perDecade!).reduce((a, b) => a + b, 0), 60);
  t.deepEqual(Object.keys(m.perDecade!).sort(), [...share.keys()].sort());
  for (const [decade, n] of share) {
    const exact = (n * 60) / ds.samples.length;
    // Largest remainder, plus one face for a rare decade: within 1 of the exact share (at least 1).
    t.true(Math.abs(m.perDecade![decade] - Math.max(1, exact)) <= 1, `${decade}: ${m.perDecade![decade]} for exact share ${exact}`);
  }
  // The counts are those of the stored faces.
  const counted: Record<string, number> = {};
  for (const s of built!.samples) counted[decadeLabel(decadeOf(s.age!))] = (counted[decadeLabel(decadeOf(s.age!))] ?? 0) + 1;
  t.deepEqual(counted, m.perDecade);
});

dataTest(test)('the manifest records size, preprocessing, crop, source and creation time', async (t) => {
  const m = JSON.parse(await readFile(join(root, 'set', 'manifest.json'), 'utf8'));
  t.is(m.format, 'agekit-representative-set');
  t.deepEqual(m.inputSize, [48, 40]);
  t.is(m.preprocessing, 'tf');
  t.deepEqual(m.crop, { margin: 0.1, square: true });
  t.is(m.source, spec());
  t.is(m.collectedBy, 'agekit calibrate build');
  t.false(Number.isNaN(Date.parse(m.created)));
  t.is((await readFile(join(root, 'set', 'crops.u8'))).length, 60 * 48 * 40 * 3);
});

dataTest(test)('stored pixels are cropFace of the chosen faces, and samples() normalizes them', async (t) => {
  const set = await openRepresentativeSet(join(root, 'set'));
  t.deepEqual(set.inputSize, [48, 40]);
  for (const i of [0, 17, 59]) {
    const s = built!.samples[i];
    const img = await readRgb(s.path);
    const want = cropFace(img, s.box ?? { x: 0, y: 0, w: img.width, h: img.height }, { margin: 0.1, square: true }, 40, 48);
    t.deepEqual(await set.crop(i), want, `crop ${i} (${s.path})`);
  }
  let k = 0;
  const first = await set.crop(0);
  for await (const x of set.samples()) {
    if (k === 0) t.deepEqual(x, normalizePixels(first, 'tf'));
    t.is(x.length, 48 * 40 * 3);
    k++;
  }
  t.is(k, 60);
  t.notThrows(() => checkRepresentativeSet(set, { inputSize: [48, 40], preprocessing: 'tf' }));
});

dataTest(test)('the same seed draws the same set; another seed another one', (t) => {
  const samples = built!.samples.map((s) => ({ ...s }));
  const a = stratifiedSample(samples, 20, 1), b = stratifiedSample(samples, 20, 1), c = stratifiedSample(samples, 20, 2);
  t.deepEqual(a.picked.map((s) => s.path), b.picked.map((s) => s.path));
  t.notDeepEqual(a.picked.map((s) => s.path), c.picked.map((s) => s.path));
});

test('unlabelled data is drawn uniformly', (t) => {
  const samples = Array.from({ length: 50 }, (_, i) => ({ path: `/x/${i}.jpg` }));
  const r = stratifiedSample(samples, 10, 0);
  t.is(r.strategy, 'uniform');
  t.deepEqual(r.perDecade, { unlabelled: 10 });
  t.is(new Set(r.picked.map((s) => s.path)).size, 10);
});

dataTest(test)('a set whose size or preprocessing differs from the model names both values', async (t) => {
  const set = await openRepresentativeSet(join(root, 'set'));
  const size = t.throws(() => checkRepresentativeSet(set, { inputSize: [64, 64], preprocessing: 'tf' }), { instanceOf: DataError });
  t.regex(size!.message, /48x40.*64x64/);
  const pre = t.throws(() => checkRepresentativeSet(set, { inputSize: [48, 40], preprocessing: 'vggface2' }), { instanceOf: DataError });
  t.regex(pre!.message, /"tf".*"vggface2"/);
});

test('an empty, truncated or foreign folder is a DataError naming it', async (t) => {
  const empty = join(root, 'empty');
  await writeRepresentativeSet(empty, new Uint8Array(0), { inputSize: [8, 8], preprocessing: 'no', source: 'none', count: 0 });
  const e = await t.throwsAsync(openRepresentativeSet(empty), { instanceOf: DataError });
  t.regex(e!.message, /empty/);
  t.is(e!.where, empty);

  const cut = join(root, 'cut');
  await writeRepresentativeSet(cut, new Uint8Array(2 * 8 * 8 * 3), { inputSize: [8, 8], preprocessing: 'no', source: 'none', count: 2 });
  await truncate(join(cut, 'crops.u8'), 100);
  await t.throwsAsync(openRepresentativeSet(cut), { instanceOf: DataError, message: /100 bytes.*2 crops/ });

  const foreign = join(root, 'foreign');
  await mkdir(foreign);
  await t.throwsAsync(openRepresentativeSet(foreign), { instanceOf: DataError, message: /no manifest/ });
  await writeFile(join(foreign, 'manifest.json'), '{"format":"other"}');
  await t.throwsAsync(openRepresentativeSet(foreign), { instanceOf: DataError, message: /"other"/ });
});

test('a set collected on the device reads as a representative set, and the device reads built sets', async (t) => {
  const dir = join(root, 'collected');
  const meta = { inputSize: [4, 4] as [number, number], preprocessing: 'unit' as const, crop: { margin: 0.2, square: true } };
  const sink = new CalibrationCollector({ dir, samples: 3, meta, source: 'file:cam.mp4', minGapMs: 0 });
  for (let f = 0; f < 3; f++) {
    const rgb = Uint8Array.from({ length: 48 }, (_, i) => (i * 5 + f * 40) % 256);
    // The collector reads only the tracks, the time and the crops' pixels.
    await sink.write({ frame: f, tMs: f * 100, faces: [{ track: 1 }] } as unknown as FrameResult, { crops: [{ rgb }] } as unknown as FramePixels);
  }
  await sink.close();
  const set = await openRepresentativeSet(dir);
  t.is(set.count, 3);
  t.deepEqual(set.inputSize, [4, 4]);
  t.is(set.preprocessing, 'unit');
  t.deepEqual(await set.crop(2), Uint8Array.from({ length: 48 }, (_, i) => (i * 5 + 80) % 256));
  if (!built) return;
  const onDevice = await openRepresentativeSet(join(root, 'set'));
  t.is(onDevice.count, 60);
  t.deepEqual(onDevice.inputSize, [48, 40]);
});
