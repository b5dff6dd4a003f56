import test from 'ava';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { DataError } from '../../../../core/errors.ts';
import { loadLfwPlus } from '../../../../host/data/loaders/lfwplus.ts';
import { loadDataset } from '../../../../host/data/load-dataset.ts';
import { dataTest, utkfaceDir } from '../../../support/shared-data.ts';
import { cropDifference, pickFaces, placeFace, removeTempRoots, tempRoot, writeText } from './fixture-faces.ts';

test.after.always(removeTempRoots);

dataTest(test)('LFW+: every row is a test sample whose face is the image minus a 16 px border', async (t) => {
  const root = await tempRoot('lfwplus');
  const faces = await pickFaces(utkfaceDir(), 8);
  const rows = ['id,age,path'];
  const placed = [];
  for (let i = 0; i < 6; i++) {
    const rel = `Person_${i}/Person_${i}_0001.jpg`;
    // A 250x250 image whose central 218x218 is the face and whose 16 px border is grey.
    placed.push(await placeFace(faces[i].path, join(root, 'lfw_cropped', rel), 250, 250, { x: 16, y: 16, w: 218, h: 218 }, 30));
    rows.push(`${i},${faces[i].age}.5,${rel}`);
  }
  rows.push('6,40,Nobody/Nobody_0001.jpg');
  rows.push('7,abc,Person_0/Person_0_0001.jpg');
  await writeFile(join(root, 'lfw_cropped', 'broken.jpg'), 'not an image');
  rows.push('8,33,broken.jpg');
  await writeText(join(root, 'lfw_theirs.csv'), rows.join('\n') + '\n');

  const ds = await loadLfwPlus(root);
  t.is(ds.samples.length, 6);
  t.deepEqual(ds.splits, ['test']);
  t.true(ds.samples.every((s) => s.split === 'test'));
  t.deepEqual(ds.samples[0].box, { x: 16, y: 16, w: 218, h: 218 });
  t.deepEqual(ds.crop, { square: false, margin: 0 });
  t.is(ds.samples[2].age, faces[2].age + 0.5);
  t.deepEqual(ds.skipped.counts, { 'image file missing or unreadable': 2, 'age missing or out of range 0..116': 1 });
  t.true(await cropDifference(ds.samples[1].path, ds.samples[1].box!, placed[1]) < 6);
  // The border is not face: cropping the whole image differs much more.
  t.true(await cropDifference(ds.samples[1].path, { x: 0, y: 0, w: 250, h: 250 }, placed[1]) > 10);
  t.is((await loadLfwPlus(root, { split: 'test' })).samples.length, 6);
  // Pointing at the image folder itself finds the label file beside it.
  t.deepEqual((await loadLfwPlus(join(root, 'lfw_cropped'))).samples, ds.samples);
  t.is((await loadDataset(`lfwplus:${root}`)).samples.length, 6);
  await t.throwsAsync(loadLfwPlus(root, { split: 'train' }), { instanceOf: DataError, message: /unknown split "train"/ });
});
