import test from 'ava';
import { join } from 'node:path';
import { symlink } from 'node:fs/promises';
import { DataError } from '../../../../core/errors.ts';
import { expandBox } from '../../../../core/contract/face-crop.ts';
import { loadVggface2 } from '../../../../host/data/loaders/vggface2.ts';
import { loadDataset } from '../../../../host/data/load-dataset.ts';
import { dataTest, utkfaceDir } from '../../../support/shared-data.ts';
import { cropDifference, pickFaces, placeFace, removeTempRoots, tempRoot, writeText } from './fixture-faces.ts';

test.after.always(removeTempRoots);

/** 12 identities x 2 train images, 3 test images, and one bad row of each kind. */
async function buildFixture() {
  const root = await tempRoot('vggface2');
  const faces = await pickFaces(utkfaceDir(), 30);
  const ids = Array.from({ length: 12 }, (_, i) => 101 + i);
  const detected: string[] = [];
  const ages: string[] = ['path,age'];
  const placed = new Map<string, Awaited<ReturnType<typeof placeFace>>>();
  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  const trueAges = new Map<string, number>();
  let f = 0;
  for (let rep = 0; rep < 2; rep++) {
    for (const id of ids) {
      const rel = `n${String(id).padStart(6, '0')}/000${rep}_01.jpg`;
      const box = { x: 20 + (f % 7) * 3, y: 12 + (f % 5) * 2, w: 64, h: 80 };
      placed.set(rel, await placeFace(faces[f].path, join(root, 'train', rel), 160, 128, box));
      boxes.set(rel, box);
      trueAges.set(rel, faces[f].age);
      detected.push(`${f},0,${rel},${id},${box.x},${box.y},${box.w},${box.h}`);
      ages.push(`${rel},${faces[f].age + 0.1234}`);
      f++;
    }
  }
  // Bad rows: no age; identity not in identity_meta; image missing.
  await placeFace(faces[f].path, join(root, 'train', 'n000101/0009_01.jpg'), 160, 128, { x: 10, y: 10, w: 60, h: 60 });
  detected.push(`${f++},0,n000101/0009_01.jpg,101,10,10,60,60`);
  await placeFace(faces[f].path, join(root, 'train', 'n000999/0000_01.jpg'), 160, 128, { x: 10, y: 10, w: 60, h: 60 });
  detected.push(`${f},0,n000999/0000_01.jpg,999,10,10,60,60`);
  ages.push(`n000999/0000_01.jpg,${faces[f++].age}`);
  detected.push(`${f},0,n000102/0042_01.jpg,102,10,10,60,60`);
  ages.push(`n000102/0042_01.jpg,30`);
  await writeText(join(root, 'annotations', 'train.detected.csv'), detected.join('\n') + '\n');
  await writeText(join(root, 'annotations', 'train.age_detected.csv'), ages.join('\n') + '\n');
  const tDet: string[] = [], tAge: string[] = [];
  for (let i = 0; i < 3; i++) {
    const rel = `n000500/000${i}_01.jpg`;
    await placeFace(faces[20 + i].path, join(root, 'test', rel), 120, 120, { x: 30, y: 20, w: 60, h: 70 });
    tDet.push(`${i},0,${rel},500,30,20,60,70`);
    tAge.push(`${rel},${faces[20 + i].age}`);
  }
  await writeText(join(root, 'annotations', 'test.detected.csv'), tDet.join('\n') + '\n');
  await writeText(join(root, 'annotations', 'test.age_detected.csv'), tAge.join('\n') + '\n');
  const meta = ['Class_ID, Name, Sample_Num, Flag, Gender', ...[...ids, 500].map((id) => `n${String(id).padStart(6, '0')}, "Person_${id}", 2, 1, m`)];
  await writeText(join(root, 'annotations', 'identity_meta.csv'), meta.join('\n') + '\n');
  return { root, placed, boxes, ages: trueAges };
}

let fixture: Promise<Awaited<ReturnType<typeof buildFixture>>> | undefined;
const getFixture = () => (fixture ??= buildFixture());

dataTest(test)('splits the official train part by identity as the seed does: the first identity to train, of each ten new ones the 2nd and 3rd to val; test stays test', async (t) => {
  const { root } = await getFixture();
  const ds = await loadVggface2(root);
  const by = (s: string) => ds.samples.filter((x) => x.split === s);
  t.is(by('train').length, 18);
  t.is(by('val').length, 6);
  t.is(by('test').length, 3);
  // 0-based identities k = 1, 2, 11 in order of appearance (n000102, n000103, n000112) are val:
  // the seed's (len(people_by_identity) - 1) % 10 in {0, 1}, taken before k is added.
  t.deepEqual([...new Set(by('val').map((s) => s.identity))].sort(), ['n000102', 'n000103', 'n000112']);
  t.is(ds.samples.find((x) => x.identity === 'n000101')!.split, 'train');
  const trainIds = new Set(by('train').map((s) => s.identity));
  t.false(by('val').some((s) => trainIds.has(s.identity)), 'train and val share no identity');
  t.deepEqual(ds.splits, ['train', 'val', 'test']);
});

dataTest(test)('reads the teacher age from the last column, rounded to 3 decimals, and counts skipped rows by reason', async (t) => {
  const { root } = await getFixture();
  const ds = await loadVggface2(root);
  const s = ds.samples.find((x) => x.path.endsWith('n000103/0000_01.jpg'))!;
  const { ages } = await getFixture();
  t.is(s.age, ages.get('n000103/0000_01.jpg')! + 0.123);
  t.deepEqual(ds.skipped.counts, { 'no age in train.age_detected.csv': 1, 'identity not in identity_meta.csv': 1, 'image file missing': 1 });
  t.true(ds.skipped.examples['image file missing'][0].endsWith('n000102/0042_01.jpg'));
});

dataTest(test)('face boxes come from detected.csv and the crop is square with a 0.2 margin', async (t) => {
  const { root, placed, boxes } = await getFixture();
  const ds = await loadVggface2(root, { split: 'train' });
  t.deepEqual(ds.crop, { square: true, margin: 0.2 });
  for (const s of ds.samples.slice(0, 4)) {
    const rel = s.path.slice(join(root, 'train').length + 1);
    t.deepEqual(s.box, boxes.get(rel));
    // The box region of the written image is the face that was placed there.
    t.true(await cropDifference(s.path, s.box!, placed.get(rel)!) < 8);
  }
  const region = expandBox(ds.samples[0].box!, ds.crop!);
  t.is(region.w, 80 * 1.4);
  t.is(region.h, 80 * 1.4);
  const literal = await loadVggface2(root, { split: 'test', margin: '0' });
  t.deepEqual(literal.crop, { square: true, margin: 0 });
  t.is(literal.samples.length, 3);
});

dataTest(test)(':split= selects, and a bad spec is a clear error', async (t) => {
  const { root } = await getFixture();
  t.is((await loadVggface2(root, { split: 'val' })).samples.length, 6);
  t.is((await loadVggface2(root, { split: 'train,test' })).samples.length, 21);
  const e1 = await t.throwsAsync(loadVggface2(root, { split: 'holdout' }), { instanceOf: DataError });
  t.regex(e1!.message, /unknown split "holdout".*train, val, test/);
  await t.throwsAsync(loadVggface2(root, { splt: 'val' }), { instanceOf: DataError, message: /unknown parameter "splt"/ });
  await t.throwsAsync(loadVggface2(join(root, 'nope')), { instanceOf: DataError, message: /directory is missing/ });
});

dataTest(test)('works as a spec through the dataset registry, with its crop and the shared limit option', async (t) => {
  const { root } = await getFixture();
  const ds = await loadDataset(`vggface2:${root}:split=val`);
  t.is(ds.kind, 'vggface2');
  t.is(ds.samples.length, 6);
  t.deepEqual(ds.crop, { square: true, margin: 0.2 });
  t.is((await loadDataset(`vggface2:${root}:split=train:limit=5`)).samples.length, 5);
  t.deepEqual((await loadDataset(`vggface2:${root}:margin=0.1`)).crop, { square: true, margin: 0.1 });
});

dataTest(test)('the root may also be named by its annotations/ folder or by the folder holding the seed\'s vggface2_data/', async (t) => {
  const { root } = await getFixture();
  const direct = await loadVggface2(root);
  const viaAnnotations = await loadVggface2(join(root, 'annotations'));
  t.deepEqual(viaAnnotations.samples, direct.samples);
  const parent = await tempRoot('vggface2-parent');
  await symlink(root, join(parent, 'vggface2_data'));
  const viaParent = await loadDataset(`vggface2:${parent}:split=val`);
  t.is(viaParent.samples.length, 6);
  t.true(viaParent.samples.every((s) => s.path.startsWith(join(parent, 'vggface2_data'))));
});
