import test from 'ava';
import { join } from 'node:path';
import { DataError } from '../../../../core/errors.ts';
import { expandBox } from '../../../../core/contract/face-crop.ts';
import { loadDataset } from '../../../../host/data/load-dataset.ts';
import { adienceFaceBox, landmarkBox, loadAdience, parseAdienceAge } from '../../../../host/data/loaders/adience.ts';
import { dataTest, utkfaceDir } from '../../../support/shared-data.ts';
import { cropDifference, pickFaces, placeFace, removeTempRoots, tempRoot, writeText } from './fixture-faces.ts';

test.after.always(removeTempRoots);

const HEADER = 'user_id\toriginal_image\tface_id\tage\tgender\tx\ty\tdx\tdy\ttilt_ang\tfiducial_yaw_angle\tfiducial_score';
const GROUPS = ['(0, 2)', '(4, 6)', '(8, 12)', '(15, 20)', '(25, 32)', '(38, 43)', '(48, 53)', '(60, 100)'];

test('age strings: the 8 groups parse to 0..7, anything else does not', (t) => {
  t.deepEqual(GROUPS.map(parseAdienceAge), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const s of ['(38, 42)', '35', 'None', '(8, 23)']) t.is(parseAdienceAge(s), undefined);
});

test('the face region is the seed\'s: landmark box squared, 10% margin, moved up by 15% of the enlarged side', (t) => {
  const bbox = landmarkBox([[40, 50], [100, 60], [70, 130], [55, 90]])!;
  t.deepEqual(bbox, { x: 40, y: 50, w: 60, h: 80 });
  const region = expandBox(adienceFaceBox(bbox), { square: true, margin: 0.1 });
  // Seed: square side 80 about the centre (70, 90); margin 8 each side -> side 96; y -= 0.15 * 96.
  t.true(Math.abs(region.w - 96) < 1e-9 && Math.abs(region.h - 96) < 1e-9);
  t.true(Math.abs(region.x - (70 - 48)) < 1e-9);
  t.true(Math.abs(region.y - (90 - 48 - 14.4)) < 1e-9);
});

dataTest(test)('folds from fold_frontal_<k>_data.txt, groups as classes, other ages skipped and counted, crop recovers the face', async (t) => {
  const root = await tempRoot('adience');
  const faces = await pickFaces(utkfaceDir(), 24);
  let f = 0;
  const placed = new Map<string, Awaited<ReturnType<typeof placeFace>>>();
  for (const k of [0, 1, 2]) {
    const rows = [HEADER];
    for (let i = 0; i < 5; i++) {
      const user = `user${k}_${i % 2}`;
      const original = `photo${f}.jpg`;
      const faceId = String(100 + f);
      const image = join(root, 'faces', user, `coarse_tilt_aligned_face.${faceId}.${original}`);
      // Landmarks span (40..100, 70..150): the seed's region is then side 96 at (22, 47.6); put the face there.
      const region = { x: 22, y: 48, w: 96, h: 96 };
      placed.set(image, await placeFace(faces[f].path, image, 160, 180, region));
      const lm = ['landmarks of the face', 'index,x_c,y_c', ...[[40, 70], [100, 80], [70, 150], [60, 110]].map(([x, y], j) => `${j},0,0,${x}.7,${y}`)];
      await writeText(join(root, 'faces', user, `landmarks.${faceId}.photo${f}.txt`), lm.join('\n') + '\n');
      rows.push([user, original, faceId, GROUPS[(f + k) % 8], 'f', 0, 0, 100, 100, 0, 0, 50].join('\t'));
      f++;
    }
    rows.push(['userX', 'p.jpg', '1', '(38, 42)', 'm', 0, 0, 1, 1, 0, 0, 1].join('\t'));
    rows.push(['userX', 'q.jpg', '2', '35', 'm', 0, 0, 1, 1, 0, 0, 1].join('\t'));
    rows.push(['userX', 'r.jpg', '3', '(25, 32)', '', 0, 0, 1, 1, 0, 0, 1].join('\t'));
    rows.push(['userX', 's.jpg', '4', '(25, 32)', 'm', 0, 0, 1, 1, 0, 0, 1].join('\t'));
    await writeText(join(root, 'annotations', `fold_frontal_${k}_data.txt`), rows.join('\n') + '\n');
  }
  const ds = await loadAdience(root);
  t.deepEqual(ds.splits, ['fold0', 'fold1', 'fold2']);
  t.is(ds.samples.length, 15);
  t.deepEqual(ds.skipped.counts, { 'age not one of the 8 groups': 6, 'incomplete row': 3, 'image file missing': 3 });
  t.deepEqual(ds.crop, { square: true, margin: 0.1 });
  const s = ds.samples[6]; // fold1, f = 6 -> group (6 + 1) % 8 = 7
  t.is(s.split, 'fold1');
  t.is(s.ageGroup, 7);
  t.is(s.age, 80);
  const region = expandBox(s.box!, ds.crop!);
  t.true(Math.abs(region.x - 22) < 1e-9 && Math.abs(region.y - 47.6) < 1e-9 && Math.abs(region.w - 96) < 1e-9);
  t.true(await cropDifference(s.path, region, placed.get(s.path)!) < 8);
  const two = await loadAdience(root, { fold: '0,2' });
  t.deepEqual([...new Set(two.samples.map((x) => x.split))], ['fold0', 'fold2']);
  t.is(two.samples.length, 10);
  t.is((await loadAdience(root, { split: 'fold1' })).samples.length, 5);
  // Pointing at faces/ or annotations/ finds the dataset folder above it.
  t.deepEqual((await loadAdience(join(root, 'faces'))).samples, ds.samples);
  const viaSpec = await loadDataset(`adience:${root}:fold=0,2`);
  t.is(viaSpec.samples.length, 10);
  t.deepEqual(viaSpec.crop, { square: true, margin: 0.1 });
  await t.throwsAsync(loadAdience(root, { fold: '7' }), { instanceOf: DataError, message: /bad fold list "7"/ });
});
