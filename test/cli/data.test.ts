import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseInputSize, defaultMosaicPath } from '../../cli/data.ts';
import { UsageError } from '../../core/errors.ts';
import { dataTest, projectRoot } from '../support/shared-data.ts';
import { copyRealImages, tempDir, writeBadImages } from '../host/data/data-fixtures.ts';

function agekit(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), join(projectRoot, 'cli/main.ts'), ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('--input-size takes 96 or HxW and names the flag when wrong', (t) => {
  t.deepEqual(parseInputSize('96'), [96, 96]);
  t.deepEqual(parseInputSize('112x96'), [112, 96]);
  const e = t.throws(() => parseInputSize('big'), { instanceOf: UsageError });
  t.true(e!.message.includes('--input-size') && e!.message.includes('big'));
  t.true(defaultMosaicPath('/r/val.json').endsWith('/r/val-mosaic.png'));
});

dataTest(test)('agekit data check prints counts, decades and skips, and writes the JSON and a mosaic of labelled crops', async (t) => {
  const tmp = await tempDir();
  try {
    const copies = await copyRealImages(tmp.dir, 8);
    const bad = await writeBadImages(tmp.dir);
    const rows = copies.map((c, i) => `${c.rel},${c.age},m,w,${i < 5 ? 'train' : 'val'}`);
    rows.push('images/30_0_0_20170101000000001.jpg.chip.jpg,30,m,w,train', 'images/31_1_0_20170101000000002.jpg.chip.jpg,31,f,w,val');
    rows.push('images/gone.jpg,40,m,w,train', `${copies[0].rel},200,m,w,train`, `${copies[0].rel},forty,m,w,train`);
    await writeFile(join(tmp.dir, 'labels.csv'), ['path,age,gender,ethnicity,split', ...rows].join('\n'));
    const r = await agekit(['data', 'check', `utkface:${tmp.dir}`, '--json', 'out/report.json', '--input-size', '64', '--augmentation', 'default'], tmp.dir);
    t.is(r.code, 0, r.stderr);
    const report = JSON.parse(await readFile(join(tmp.dir, 'out/report.json'), 'utf8'));
    t.is(report.n, 8);
    t.deepEqual(report.by_split, { train: 5, val: 3 });
    t.deepEqual(report.skipped, { missing_file: 1, age_out_of_range: 1, non_numeric_age: 1, unreadable_image: 2 });
    t.deepEqual(new Set(report.skipped_examples.unreadable_image), new Set([bad.truncated, bad.text]));
    const decades: Record<string, number> = {};
    for (const c of copies) { const d = Math.floor(c.age / 10) * 10; const k = d >= 110 ? '110+' : `${d}-${d + 9}`; decades[k] = (decades[k] ?? 0) + 1; }
    for (const [k, n] of Object.entries(report.by_decade)) t.is(n, decades[k] ?? 0, k);
    t.regex(r.stdout, /usable samples: 8/);
    t.regex(r.stdout, /missing_file: 1\n\s+.*gone\.jpg/);
    t.regex(r.stderr, /mosaic of 8 64x64 crops/);
    const mosaic = join(tmp.dir, 'out/report-mosaic.png');
    t.is(report.mosaic, mosaic);
    const meta = await sharp(mosaic).metadata();
    t.is(meta.format, 'png');
    t.is(meta.width, 5 * 128 + 6 * 4, 'five 64 px crops per row, shown at 2x');
    t.is(meta.height, 2 * 128 + 3 * 4);
  } finally { await tmp.cleanup(); }
});

/** Run the CLI in this process, capturing what it writes to stderr. */
async function agekitInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  const { main } = await import('../../cli/main.ts');
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'agekit', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('agekit data check with a malformed spec or a missing folder exits 1 with the message, no stack', async (t) => {
  const a = await agekitInProcess(['data', 'check', 'utkface']);
  t.is(a.code, 1);
  t.regex(a.stderr, /dataset spec "utkface": no kind/);
  t.notRegex(a.stderr, /at .*\.ts:\d+/);
  const b = await agekitInProcess(['data', 'check', 'folder:/nothing-here/at-all']);
  t.is(b.code, 1);
  t.regex(b.stderr, /directory not found .*nothing-here/);
  const c = await agekitInProcess(['data', 'check', 'folder:/x', '--augmentation', 'heavy']);
  t.is(c.code, 2, 'a bad flag value is a usage error');
});
