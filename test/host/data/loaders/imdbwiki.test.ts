import test from 'ava';
import { join } from 'node:path';
import { DataError } from '../../../../core/errors.ts';
import { expandBox } from '../../../../core/contract/face-crop.ts';
import { loadDataset } from '../../../../host/data/load-dataset.ts';
import { hasUnknownBirthDate, imdbWikiPaths, loadImdbWiki, type ImdbWikiVariant } from '../../../../host/data/loaders/imdbwiki.ts';
import { dataTest, utkfaceDir } from '../../../support/shared-data.ts';
import { cropDifference, pickFaces, placeFace, removeTempRoots, tempRoot, writeText } from './fixture-faces.ts';

test.after.always(removeTempRoots);

/**
 * Per part: 20 identities x 1 image (wiki: 10), plus one bad row of each kind. Names contain a
 * comma in one row, which the seed joins with a space.
 */
async function buildFixture(variant: ImdbWikiVariant) {
  const root = await tempRoot(`imdbwiki-${variant}`);
  const faces = await pickFaces(utkfaceDir(), 40);
  let f = 0;
  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  for (const [part, n] of [['imdb', 20], ['wiki', 10]] as const) {
    const { csv, images } = imdbWikiPaths(root, variant, part);
    const rows = ['index,age,path,b0,b1,b2,b3,name'];
    for (let i = 0; i < n; i++) {
      const rel = `${String(i).padStart(2, '0')}/nm${1000 + i}_rm1_1970-5-${1 + i}_2000.jpg`;
      const box = { x: 10 + i, y: 16, w: 60, h: 72 };
      await placeFace(faces[f].path, join(images, rel), 120, 110, box);
      boxes.set(`${part}/${rel}`, box);
      const b = variant === 'aligned' ? [box.x, box.y, box.w, box.h] : [box.x, box.y, box.x + box.w, box.y + box.h];
      const age = Math.min(100, Math.max(1, faces[f].age));
      const name = i === 3 ? 'Smith, John' : `Person ${part} ${i}`;
      rows.push(`${i},${age},${rel},${b.join(',')},${name}`);
      f++;
    }
    await placeFace(faces[f].path, join(images, 'x/nm9_rm9_1970-0-0_2000.jpg'), 120, 110, { x: 10, y: 10, w: 50, h: 50 });
    rows.push(`90,30,x/nm9_rm9_1970-0-0_2000.jpg,10,10,60,60,Unknown Birth`);
    await placeFace(faces[f].path, join(images, 'x/nm8_rm8_1970-1-1_1970.jpg'), 120, 110, { x: 10, y: 10, w: 50, h: 50 });
    rows.push(`91,0,x/nm8_rm8_1970-1-1_1970.jpg,10,10,60,60,Baby Zero`);
    await placeFace(faces[f].path, join(images, 'x/nm7_rm7_1970-1-1_2000.jpg'), 120, 110, { x: 10, y: 10, w: 50, h: 50 });
    rows.push(`92,30,x/nm7_rm7_1970-1-1_2000.jpg,10,10,60,60,`);
    rows.push(`93,30,x/nm6_rm6_1970-1-1_2000.jpg,10,10,60,60,Not There`);
    await writeText(csv, rows.join('\n') + '\n');
  }
  return { root, boxes };
}

const fixtures: Partial<Record<ImdbWikiVariant, Promise<Awaited<ReturnType<typeof buildFixture>>>>> = {};
const getFixture = (v: ImdbWikiVariant) => (fixtures[v] ??= buildFixture(v));

test('the seed drops file names whose birth date ends in 0-0', (t) => {
  t.true(hasUnknownBirthDate('nm0000100_rm1001569280_1955-0-0_2011.jpg'));
  t.false(hasUnknownBirthDate('nm0000100_rm1001569280_1955-1-6_2011.jpg'));
});

dataTest(test)('aligned: 80/10/10 split by identity per part, ages 1..100, rows without identity dropped and counted', async (t) => {
  const { root } = await getFixture('aligned');
  const ds = await loadImdbWiki(root);
  t.deepEqual(ds.crop, { square: false, margin: 0 });
  t.is(ds.samples.length, 30);
  const count = (split: string, part: string) => ds.samples.filter((s) => s.split === split && s.identity!.startsWith(part)).length;
  // imdb: 20 identities -> k=0,10 val; k=1,11 test; 16 train. wiki: 10 -> 1 val, 1 test, 8 train.
  t.deepEqual([count('train', 'imdb'), count('val', 'imdb'), count('test', 'imdb')], [16, 2, 2]);
  t.deepEqual([count('train', 'wiki'), count('val', 'wiki'), count('test', 'wiki')], [8, 1, 1]);
  t.deepEqual(ds.skipped.counts, { 'unknown birth date in file name': 2, 'age missing or outside 1..100': 2, 'no identity': 2, 'image file missing': 2 });
  t.truthy(ds.samples.find((s) => s.identity === 'imdb:Smith John'));
  const ids = (split: string) => new Set(ds.samples.filter((s) => s.split === split).map((s) => s.identity));
  const train = ids('train');
  t.false([...ids('val'), ...ids('test')].some((i) => train.has(i)), 'splits share no identity');
  t.is((await loadImdbWiki(root, { split: 'val' })).samples.length, 3);
  t.is((await loadImdbWiki(root, { split: 'test', part: 'wiki' })).samples.length, 1);
  t.is((await loadDataset(`imdbwiki:${root}:split=val,test:part=imdb`)).samples.length, 4);
});

dataTest(test)('aligned boxes are x, y, w, h as written and crop back to the face', async (t) => {
  const { root, boxes } = await getFixture('aligned');
  const ds = await loadImdbWiki(root, { part: 'imdb' });
  const s = ds.samples[4];
  const key = 'imdb/' + s.path.split('imdb_crop_aligned/')[1];
  t.deepEqual(s.box, boxes.get(key));
  const face = await placeFace((await pickFaces(utkfaceDir(), 40))[4].path, join(await tempRoot('imdbwiki-ref'), 'ref.png'), 120, 110, boxes.get(key)!);
  t.true(await cropDifference(s.path, s.box!, face) < 8);
});

dataTest(test)('cleaned boxes are x1, y1, x2, y2, made square with a 5% margin', async (t) => {
  const { root, boxes } = await getFixture('cleaned');
  const ds = await loadImdbWiki(root, { variant: 'cleaned' });
  t.deepEqual(ds.crop, { square: true, margin: 0.05 });
  const s = ds.samples[0];
  const b = boxes.get('imdb/' + s.path.split('imdb_crop/')[1])!;
  t.deepEqual(s.box, b);
  const region = expandBox(s.box!, ds.crop!);
  t.is(region.w, 72 * 1.1);
  t.is(region.x + region.w / 2, b.x + b.w / 2);
  await t.throwsAsync(loadImdbWiki(root, { variant: 'aligned' }), { instanceOf: DataError, message: /imdb_aligned\.csv.*annotation file is missing/ });
  await t.throwsAsync(loadImdbWiki(root, { variant: 'raw' }), { instanceOf: DataError, message: /unknown variant "raw"/ });
});

dataTest(test)('imdbwiki: also takes the imdbwiki_aligned/ or imdbwiki/ folder itself, with the same samples and variant', async (t) => {
  const aligned = await getFixture('aligned');
  const whole = await loadImdbWiki(aligned.root);
  const itself = await loadDataset(`imdbwiki:${join(aligned.root, 'imdbwiki_aligned')}`);
  t.deepEqual(itself.samples, whole.samples);
  t.deepEqual(itself.crop, { square: false, margin: 0 });
  const cleaned = await getFixture('cleaned');
  const viaCleaned = await loadImdbWiki(join(cleaned.root, 'imdbwiki'));
  t.deepEqual(viaCleaned.samples, (await loadImdbWiki(cleaned.root, { variant: 'cleaned' })).samples);
  t.deepEqual(viaCleaned.crop, { square: true, margin: 0.05 });
  const empty = await tempRoot('imdbwiki-empty');
  await t.throwsAsync(loadImdbWiki(empty), { instanceOf: DataError, message: /neither imdbwiki_aligned\/ nor imdbwiki\/.*point imdbwiki: at/ });
});
