import test from 'ava';
import { join } from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import { loadDataset, registerDatasetLoader, datasetLoaders } from '../../../host/data/load-dataset.ts';
import { SKIP_REASONS } from '../../../host/data/skip-reasons.ts';
import { DataError } from '../../../core/errors.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';
import { copyRealImages, tempDir, writeBadImages } from './data-fixtures.ts';

const dtest = dataTest(test);

dtest('utkface: reads labels.csv, with absolute paths, both splits and no skips', async (t) => {
  const ds = await loadDataset(`utkface:${utkfaceDir()}`);
  t.is(ds.kind, 'utkface');
  t.deepEqual(ds.splits, ['train', 'val']);
  t.true(ds.samples.length > 1000);
  t.deepEqual(ds.skipped.counts, {});
  for (const s of ds.samples.slice(0, 50)) {
    t.true(s.path.startsWith(utkfaceDir() + '/'), s.path);
    t.true(s.age! >= 0 && s.age! <= 116);
  }
  // The label file's age agrees with the age in the UTKFace file name.
  const s = ds.samples[123];
  t.is(s.age, Number(s.path.split('/').pop()!.split('_')[0]));
});

dtest(':split=val keeps exactly the val rows of labels.csv', async (t) => {
  const all = await loadDataset(`utkface:${utkfaceDir()}`);
  const val = await loadDataset(`utkface:${utkfaceDir()}:split=val`);
  t.is(val.samples.length, all.samples.filter((s) => s.split === 'val').length);
  t.true(val.samples.every((s) => s.split === 'val'));
  t.deepEqual(val.splits, ['train', 'val'], 'splits lists what the dataset has, not just the selection');
  const both = await loadDataset(`utkface:${utkfaceDir()}:split=train,val`);
  t.is(both.samples.length, all.samples.length);
});

dtest('an unknown split, a split on a dataset without splits and an unknown option are DataErrors naming the spec', async (t) => {
  const spec = `utkface:${utkfaceDir()}:split=test`;
  const e1 = await t.throwsAsync(loadDataset(spec), { instanceOf: DataError });
  t.true(e1!.message.includes(spec) && e1!.message.includes('train, val'), e1!.message);
  const e2 = await t.throwsAsync(loadDataset(`utkface:${utkfaceDir()}:colour=red`), { instanceOf: DataError });
  t.true(e2!.message.includes('colour'), e2!.message);
  const tmp = await tempDir();
  try {
    await copyRealImages(tmp.dir, 2, '.');
    const e3 = await t.throwsAsync(loadDataset(`folder:${tmp.dir}:split=train`), { instanceOf: DataError });
    t.true(e3!.message.includes('no splits'), e3!.message);
  } finally { await tmp.cleanup(); }
});

dtest(':limit=N takes a seeded random subset in file order', async (t) => {
  const a = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=40`);
  const b = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=40`);
  const c = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=40:seed=7`);
  t.is(a.samples.length, 40);
  t.deepEqual(a.samples, b.samples);
  t.notDeepEqual(a.samples.map((s) => s.path), c.samples.map((s) => s.path));
  const sorted = [...a.samples].sort((x, y) => (x.path < y.path ? -1 : 1));
  t.deepEqual(a.samples, sorted, 'order of the label file is kept');
  t.true(new Set(a.samples.map((s) => Math.floor(s.age! / 10))).size >= 4, 'not just the first rows (the file is sorted by age)');
  await t.throwsAsync(loadDataset(`utkface:${utkfaceDir()}:limit=0`), { instanceOf: DataError, message: /limit=0/ });
});

dtest('utkface: without labels.csv parses ages from the UTKFace file names and skips names without an age', async (t) => {
  const tmp = await tempDir();
  try {
    const copies = await copyRealImages(tmp.dir, 6, 'UTKFace');
    await writeFile(join(tmp.dir, 'UTKFace', 'portrait.jpg'), await (await import('node:fs/promises')).readFile(copies[0].abs));
    await writeFile(join(tmp.dir, 'UTKFace', '130_0_0_20170101000000000.jpg.chip.jpg'), await (await import('node:fs/promises')).readFile(copies[0].abs));
    const ds = await loadDataset(`utkface:${tmp.dir}`);
    t.is(ds.samples.length, 6);
    const byPath = new Map(ds.samples.map((s) => [s.path, s.age]));
    for (const c of copies) t.is(byPath.get(c.abs), c.age, c.name);
    t.is(ds.skipped.counts[SKIP_REASONS.badFileName], 1);
    t.is(ds.skipped.counts[SKIP_REASONS.ageOutOfRange], 1);
    t.deepEqual(ds.skipped.examples[SKIP_REASONS.badFileName], [join(tmp.dir, 'UTKFace', 'portrait.jpg')]);
    t.deepEqual(ds.splits, []);
  } finally { await tmp.cleanup(); }
});

dtest('utkface: labels.csv with bad rows skips and counts each reason with the first paths', async (t) => {
  const tmp = await tempDir();
  try {
    const copies = await copyRealImages(tmp.dir, 4);
    const lines = [
      'path,age,gender,ethnicity,split',
      `${copies[0].rel},${copies[0].age},male,white,train`,
      `${copies[1].rel},${copies[1].age},female,white,val`,
      `${copies[2].rel},abc,male,white,train`,
      `${copies[3].rel},117,male,white,train`,
      `${copies[3].rel},-1,male,white,train`,
      `images/not-there.jpg,30,male,white,train`,
      `${copies[3].rel},30,male`,
      '',
      `,30,male,white,train`,
    ];
    await writeFile(join(tmp.dir, 'labels.csv'), lines.join('\n'));
    const ds = await loadDataset(`utkface:${tmp.dir}`);
    t.deepEqual(ds.samples.map((s) => s.path), [copies[0].abs, copies[1].abs]);
    t.deepEqual(ds.skipped.counts, {
      [SKIP_REASONS.nonNumericAge]: 1, [SKIP_REASONS.ageOutOfRange]: 2, [SKIP_REASONS.missingFile]: 1, [SKIP_REASONS.malformedRow]: 2,
    });
    t.deepEqual(ds.skipped.examples[SKIP_REASONS.missingFile], [join(tmp.dir, 'images/not-there.jpg')]);
    t.deepEqual(ds.skipped.examples[SKIP_REASONS.malformedRow], [`${join(tmp.dir, 'labels.csv')}:8`, `${join(tmp.dir, 'labels.csv')}:10`]);
  } finally { await tmp.cleanup(); }
});

dtest('csv: paths relative to the CSV folder, optional box and split, bad boxes and ages skipped', async (t) => {
  const tmp = await tempDir();
  try {
    const copies = await copyRealImages(tmp.dir, 4, 'faces');
    const lines = [
      'path,age,x,y,w,h,split',
      `faces/${copies[0].name},${copies[0].age},20,30,120,110,train`,
      `faces/${copies[1].name},${copies[1].age},,,,,val`,
      `${copies[2].abs},41.5,0,0,200,200,`,
      `faces/${copies[3].name},30,10,10,0,50,train`,
      `faces/${copies[3].name},n/a,10,10,50,50,train`,
      `faces/${copies[3].name},30,ten,10,50,50,train`,
      `"faces/missing, file.jpg",30,10,10,50,50,train`,
    ];
    await mkdir(join(tmp.dir, 'sub'));
    await writeFile(join(tmp.dir, 'labels.csv'), lines.join('\r\n'));
    const ds = await loadDataset('csv:labels.csv', { cwd: tmp.dir });
    t.is(ds.root, tmp.dir);
    t.deepEqual(ds.samples, [
      { path: copies[0].abs, age: copies[0].age, box: { x: 20, y: 30, w: 120, h: 110 }, split: 'train' },
      { path: copies[1].abs, age: copies[1].age, split: 'val' },
      { path: copies[2].abs, age: 41.5, box: { x: 0, y: 0, w: 200, h: 200 } },
    ]);
    t.deepEqual(ds.skipped.counts, { [SKIP_REASONS.badBox]: 2, [SKIP_REASONS.nonNumericAge]: 1, [SKIP_REASONS.missingFile]: 1 });
    t.deepEqual(ds.skipped.examples[SKIP_REASONS.missingFile], [join(tmp.dir, 'faces/missing, file.jpg')]);
    const train = await loadDataset(`csv:${join(tmp.dir, 'labels.csv')}:split=train`);
    t.deepEqual(train.samples.map((s) => s.path), [copies[0].abs]);
  } finally { await tmp.cleanup(); }
});

test('csv: a label file without the required columns, or with a partial box, is a DataError naming the file', async (t) => {
  const tmp = await tempDir();
  try {
    const f = join(tmp.dir, 'a.csv');
    await writeFile(f, 'file,years\nx.jpg,3\n');
    const e1 = await t.throwsAsync(loadDataset(`csv:${f}`), { instanceOf: DataError });
    t.true(e1!.message.includes(f) && e1!.message.includes('path, age'), e1!.message);
    await writeFile(f, 'path,age,x,y\nx.jpg,3,1,2\n');
    const e2 = await t.throwsAsync(loadDataset(`csv:${f}`), { instanceOf: DataError });
    t.true(e2!.message.includes('x,y,w,h'), e2!.message);
    await writeFile(f, '');
    await t.throwsAsync(loadDataset(`csv:${f}`), { instanceOf: DataError, message: /empty/ });
  } finally { await tmp.cleanup(); }
});

dtest('folder: every image under the folder, recursively, unlabelled', async (t) => {
  const tmp = await tempDir();
  try {
    const a = await copyRealImages(tmp.dir, 2, 'a');
    const b = await copyRealImages(tmp.dir, 3, 'a/b');
    await writeFile(join(tmp.dir, 'notes.txt'), 'not an image');
    const ds = await loadDataset(`folder:${tmp.dir}`);
    t.deepEqual(new Set(ds.samples.map((s) => s.path)), new Set([...a, ...b].map((c) => c.abs)));
    t.true(ds.samples.every((s) => s.age === undefined));
  } finally { await tmp.cleanup(); }
});

test('missing directories and files, unknown kinds and empty folders are DataErrors that say what to do', async (t) => {
  const tmp = await tempDir();
  try {
    const gone = join(tmp.dir, 'nope');
    for (const spec of [`utkface:${gone}`, `folder:${gone}`, `csv:${gone}.csv`]) {
      const e = await t.throwsAsync(loadDataset(spec), { instanceOf: DataError });
      t.true(e!.message.includes(gone) && /not found/.test(e!.message) && /check the path/.test(e!.message), e!.message);
    }
    const e2 = await t.throwsAsync(loadDataset(`imagenet:${tmp.dir}`), { instanceOf: DataError });
    t.true(e2!.message.includes('unknown dataset kind') && e2!.message.includes('utkface:<dir>'), e2!.message);
    const e3 = await t.throwsAsync(loadDataset(`folder:${tmp.dir}`), { instanceOf: DataError });
    t.true(e3!.message.includes('no image files'), e3!.message);
    const e4 = await t.throwsAsync(loadDataset(`utkface:${tmp.dir}`), { instanceOf: DataError });
    t.true(e4!.message.includes('labels.csv'), e4!.message);
    await t.throwsAsync(loadDataset(`csv:${tmp.dir}`), { instanceOf: DataError, message: /not a file/ });
  } finally { await tmp.cleanup(); }
});

dtest('verifyImages quick and full drop a truncated JPEG and a text file named .jpg, counted as unreadable_image', async (t) => {
  const tmp = await tempDir();
  try {
    const copies = await copyRealImages(tmp.dir, 3);
    const bad = await writeBadImages(tmp.dir);
    const none = await loadDataset(`utkface:${tmp.dir}`);
    t.is(none.samples.length, 5, 'names parse, so without verification both bad files are samples');
    for (const level of ['quick', 'full'] as const) {
      const ds = await loadDataset(`utkface:${tmp.dir}`, { verifyImages: level });
      t.deepEqual(new Set(ds.samples.map((s) => s.path)), new Set(copies.map((c) => c.abs)), level);
      t.is(ds.skipped.counts[SKIP_REASONS.unreadableImage], 2, level);
      t.deepEqual(new Set(ds.skipped.examples[SKIP_REASONS.unreadableImage]), new Set([bad.truncated, bad.text]));
    }
  } finally { await tmp.cleanup(); }
});

test('a new kind is one registerDatasetLoader call; the registry applies split, fold and limit to it', async (t) => {
  registerDatasetLoader({
    kind: 'testgrid',
    usage: 'testgrid:<n>',
    description: 'n fake paths, alternating splits (test only)',
    options: ['offset'],
    async load(ref) {
      const n = Number(ref.location.split('/').pop());
      const offset = Number(ref.options.offset ?? 0);
      return { root: ref.location, samples: Array.from({ length: n }, (_, i) => ({ path: `/x/${i}.jpg`, age: i + offset, split: i % 2 ? 'b' : 'a' })), skipped: { counts: {}, examples: {} } };
    },
  });
  t.true(datasetLoaders().some((l) => l.kind === 'testgrid'));
  const ds = await loadDataset('testgrid:/10:split=b:offset=5');
  t.deepEqual(ds.samples.map((s) => s.age), [6, 8, 10, 12, 14]);
  t.deepEqual(ds.splits, ['a', 'b']);
  t.throws(() => registerDatasetLoader({ kind: 'testgrid', usage: '', description: '', load: async () => ({ root: '', samples: [], skipped: { counts: {}, examples: {} } }) }), { instanceOf: DataError });
  const limited = await loadDataset('testgrid:/4:split=a:limit=1');
  t.is(limited.samples.length, 1);
  registerDatasetLoader({
    kind: 'testfolds',
    usage: 'testfolds:<n>',
    description: 'n fake paths in folds fold0..fold4 (test only)',
    async load(ref) {
      const n = Number(ref.location.split('/').pop());
      t.false('fold' in ref.options, 'the loader sees fold= as split names');
      return { root: ref.location, samples: Array.from({ length: n }, (_, i) => ({ path: `/f/${i}.jpg`, age: i, split: `fold${i % 5}` })), skipped: { counts: {}, examples: {} } };
    },
  });
  const folds = await loadDataset('testfolds:/10:fold=0,3');
  t.deepEqual(folds.samples.map((s) => s.split), ['fold0', 'fold3', 'fold0', 'fold3']);
  await t.throwsAsync(loadDataset('testfolds:/10:fold=7'), { instanceOf: DataError, message: /no split fold7.*fold0, fold1/ });
  await t.throwsAsync(loadDataset('testfolds:/10:fold=x'), { instanceOf: DataError, message: /fold "x"/ });
});
