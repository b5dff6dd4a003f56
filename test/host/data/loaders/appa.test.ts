import test from 'ava';
import { join } from 'node:path';
import { DataError } from '../../../../core/errors.ts';
import { loadAppa } from '../../../../host/data/loaders/appa.ts';
import { loadDataset } from '../../../../host/data/load-dataset.ts';
import { dataTest, utkfaceDir } from '../../../support/shared-data.ts';
import { cropDifference, pickFaces, placeFace, removeTempRoots, tempRoot, writeText } from './fixture-faces.ts';

test.after.always(removeTempRoots);

dataTest(test)('APPA-REAL: apparent age mean is the label, its std is kept, splits train/valid/test, boxes optional', async (t) => {
  const root = await tempRoot('appa');
  const faces = await pickFaces(utkfaceDir(), 12);
  const header = 'file_name,num_ratings,apparent_age_avg,apparent_age_std,real_age,x,y,w,h';
  let f = 0;
  const placed = new Map<string, Awaited<ReturnType<typeof placeFace>>>();
  for (const [part, n] of [['train', 4], ['valid', 3], ['test', 2]] as const) {
    const rows = [header];
    for (let i = 0; i < n; i++) {
      const file = `${String(f).padStart(6, '0')}.jpg_face.jpg`;
      const box = { x: 20, y: 10 + i, w: 70, h: 90 };
      placed.set(file, await placeFace(faces[f].path, join(root, part, file), 140, 120, box));
      // The last item of each part has no face box (zeros): the whole image is used.
      const b = i === n - 1 ? '0,0,0,0' : `${box.x},${box.y},${box.w},${box.h}`;
      rows.push(`${file},38,${faces[f].age + 0.25},${(1 + i) * 1.5},${faces[f].age},${b}`);
      f++;
    }
    if (part === 'train') rows.push('missing.jpg,20,30,2,31,0,0,0,0', 'bad.jpg,20,abc,2,31');
    await writeText(join(root, `gt_avg_${part}.csv`), rows.join('\n') + '\n');
  }
  const ds = await loadAppa(root);
  t.deepEqual(ds.splits, ['train', 'valid', 'test']);
  t.deepEqual(['train', 'valid', 'test'].map((s) => ds.samples.filter((x) => x.split === s).length), [4, 3, 2]);
  t.deepEqual(ds.skipped.counts, { 'image file missing': 1, 'malformed row in gt_avg_train.csv': 1 });
  const first = ds.samples[0];
  t.is(first.age, faces[0].age + 0.25);
  t.is(first.ageStd, 1.5);
  t.deepEqual(first.box, { x: 20, y: 10, w: 70, h: 90 });
  t.is(ds.samples[3].box, undefined);
  t.true(await cropDifference(first.path, first.box!, placed.get('000000.jpg_face.jpg')!) < 8);
  const valid = await loadAppa(root, { split: 'valid' });
  // Pointing at an image folder (train/) finds the gt_avg_*.csv files above it.
  t.deepEqual((await loadAppa(join(root, 'train'))).samples, ds.samples);
  t.is(valid.samples.length, 3);
  t.true(valid.samples.every((s) => s.split === 'valid'));
  const real = await loadAppa(root, { split: 'test', label: 'real' });
  t.is(real.samples[0].age, faces[7].age);
  const viaSpec = await loadDataset(`appa:${root}:split=valid`);
  t.is(viaSpec.samples.length, 3);
  t.deepEqual(viaSpec.splits, ['train', 'valid', 'test']);
  await t.throwsAsync(loadAppa(root, { label: 'guess' }), { instanceOf: DataError, message: /unknown label "guess"/ });
});
