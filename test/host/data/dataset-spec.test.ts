import test from 'ava';
import { parseDatasetSpec } from '../../../host/data/dataset-spec.ts';
import { DataError } from '../../../core/errors.ts';

test('a spec splits into kind, location and trailing key=value options', (t) => {
  t.deepEqual(parseDatasetSpec('utkface:../data/utkface:split=val'), { spec: 'utkface:../data/utkface:split=val', kind: 'utkface', location: '../data/utkface', options: { split: 'val' } });
  t.deepEqual(parseDatasetSpec('adience:/d:fold=0,1,2:limit=10').options, { fold: '0,1,2', limit: '10' });
  t.deepEqual(parseDatasetSpec('folder:/faces').options, {});
});

test('the location may contain colons; only trailing key=value parts are options', (t) => {
  const p = parseDatasetSpec('csv:/data/a:b/labels.csv:split=train');
  t.is(p.location, '/data/a:b/labels.csv');
  t.deepEqual(p.options, { split: 'train' });
});

test('the kind is lower-cased', (t) => {
  t.is(parseDatasetSpec('UTKFace:/x').kind, 'utkface');
});

for (const [spec, fragment] of [
  ['utkface', 'no kind'],
  [':/data', 'no kind'],
  ['utkface:', 'no path'],
  ['utkface::split=val', 'no path'],
  ['utk face:/x', 'malformed kind'],
  ['utkface:/x:split=val:split=train', 'given twice'],
  ['utkface:/x:split=', 'has no value'],
] as const) {
  test(`malformed spec "${spec}" is a DataError that names it and says what is wrong`, (t) => {
    const err = t.throws(() => parseDatasetSpec(spec, ['utkface', 'csv']), { instanceOf: DataError });
    t.true(err!.message.includes(fragment), err!.message);
    t.true(err!.message.includes(`"${spec}"`), err!.message);
  });
}
