import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { readRgb } from '../../../core/images.ts';
import { corruptImage } from '../../../host/corruptions/corruption-table.ts';
import { writeCorruptedDataset } from '../../../host/corruptions/write-corrupted-dataset.ts';
import { mixSeeds } from '../../../host/data/seeded-random.ts';
import { main } from '../../../cli/main.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

const dirs: string[] = [];
test.after.always(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });
const temp = async () => { const d = await mkdtemp(join(tmpdir(), 'agekit-corrupt-')); dirs.push(d); return d; };

dataTest(test)('writes each corruption/severity copy with a labels CSV that loads back as csv: with the same labels', async (t) => {
  const out = await temp();
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=3`);
  const summary = await writeCorruptedDataset(ds, { out, corruptions: ['pixelate', 'gaussian_noise'], severities: [2, 4], seed: 9 });
  t.is(summary.images, 3);
  const back = await loadDataset(`csv:${summary.labels.gaussian_noise[4]}`);
  t.is(back.samples.length, 3);
  t.deepEqual(back.samples.map((s) => s.age), ds.samples.map((s) => s.age));
  t.deepEqual(back.samples.map((s) => s.split), ['val', 'val', 'val']);
  // The written PNG is exactly the corruption of the original with image i's seed (lossless).
  const want = await corruptImage(await readRgb(ds.samples[1].path), 'gaussian_noise', 4, mixSeeds(9, 1));
  t.deepEqual((await readRgb(back.samples[1].path)).data, want.data);
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.is(manifest.dataset, ds.spec);
  t.deepEqual(manifest.severities, [2, 4]);
});

dataTest(test)('agekit corrupt writes the copies; a bad corruption name is a usage-level error naming the flag', async (t) => {
  const out = await temp();
  const code = await main(['node', 'agekit', 'corrupt', '--dataset', `utkface:${utkfaceDir()}:split=val:limit=2`, '--out', out, '--corruptions', 'contrast', '--severities', '5']);
  t.is(code, 0);
  const labels = (await readFile(join(out, 'contrast', '5', 'labels.csv'), 'utf8')).trim().split('\n');
  t.is(labels.length, 3);
  t.is(labels[0], 'path,age,x,y,w,h,split');
  const bad = await main(['node', 'agekit', 'corrupt', '--dataset', `utkface:${utkfaceDir()}:split=val:limit=2`, '--out', out, '--corruptions', 'fog']);
  t.is(bad, 2);
});
