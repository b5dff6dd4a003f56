// Bad input that used to give a wrong answer or a raw dump: boxes off the image, paths out of a
// CSV's folder, images over the pixel limit, binary bytes in messages, one bad image in predict.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { batchStream } from '../../../host/data/batch-stream.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { SKIP_REASONS } from '../../../host/data/skip-reasons.ts';
import { BoxOutsideImageError, cropJobRgb } from '../../../host/data/prepare-crops.ts';
import { maxImagePixels, readRgb } from '../../../core/images.ts';
import { DataError, printable } from '../../../core/errors.ts';
import { dataTest, projectRoot } from '../../support/shared-data.ts';
import { copyRealImages, tempDir, writeBadImages } from './data-fixtures.ts';

const run = promisify(execFile);
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: projectRoot, maxBuffer: 1 << 26, env: { ...process.env, ...env } })
  .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
  .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

/** A valid 1-bit greyscale PNG of width x height (all black): tiny on disk at any size. */
function blackPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 1; ihdr[9] = 0;
  const row = Math.ceil(width / 8) + 1;
  const raw = Buffer.alloc(row * height); // filter byte 0 and black pixels
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

dataTest(test)('a CSV face box entirely outside its image is skipped and counted, not cropped into a garbage age', async (t) => {
  const tmp = await tempDir('agekit-untrusted-');
  t.teardown(tmp.cleanup);
  const faces = await copyRealImages(tmp.dir, 3); // UTKFace crops are 200x200
  const rows = [`${faces[0].rel},${faces[0].age},20,20,150,150`, `${faces[1].rel},${faces[1].age},5000,5000,100,100`, `${faces[2].rel},${faces[2].age},-300,10,100,100`];
  await writeFile(join(tmp.dir, 'faces.csv'), ['path,age,x,y,w,h', ...rows].join('\n'));
  const ds = await loadDataset(`csv:${join(tmp.dir, 'faces.csv')}`);
  t.is(ds.samples.length, 3, 'the loader cannot know image sizes: the crop step decides');
  const skipped: [string, string][] = [];
  let n = 0;
  for await (const b of batchStream(ds, { inputSize: [64, 64], preprocessing: 'vggface2', batchSize: 8, workers: 0, onSkip: (s, reason) => skipped.push([s.path, reason]) })) n += b.n;
  t.is(n, 1);
  t.deepEqual(skipped.map(([p, r]) => [p, r]).sort(), [[faces[1].abs, SKIP_REASONS.boxOutsideImage], [faces[2].abs, SKIP_REASONS.boxOutsideImage]].sort());
  const err = await t.throwsAsync(cropJobRgb({ path: faces[1].abs, box: { x: 5000, y: 5000, w: 100, h: 100 } }, 64, 64, { margin: 0, square: true }), { instanceOf: BoxOutsideImageError });
  t.regex(err!.message, /face box 5000,5000,100,100 lies entirely outside the 200x200 image/);
});

dataTest(test)('CSV paths outside its folder (../, absolute, symlink out) are skipped and counted unless :paths=any', async (t) => {
  const tmp = await tempDir('agekit-untrusted-');
  t.teardown(tmp.cleanup);
  const inside = join(tmp.dir, 'set');
  const faces = await copyRealImages(inside, 2);
  const outside = await copyRealImages(tmp.dir, 1, 'elsewhere');
  await symlink(outside[0].abs, join(inside, 'images', 'link.jpg'));
  const rows = [
    `${faces[0].rel},30`, // inside
    `../elsewhere/${outside[0].name},31`, // ../
    `${outside[0].abs},32`, // absolute
    'images/link.jpg,33', // symlink out of the folder
    '../../../../../../etc/passwd,34',
  ];
  await writeFile(join(inside, 'faces.csv'), ['path,age', ...rows].join('\n'));
  const ds = await loadDataset(`csv:${join(inside, 'faces.csv')}`);
  t.deepEqual(ds.samples.map((s) => s.path), [faces[0].abs]);
  t.is(ds.skipped.counts[SKIP_REASONS.outsideFolder], 4);
  t.true(ds.skipped.examples[SKIP_REASONS.outsideFolder].includes('/etc/passwd'));
  const any = await loadDataset(`csv:${join(inside, 'faces.csv')}:paths=any`);
  t.is(any.samples.length, 5, 'with :paths=any every existing file is read, /etc/passwd included (it fails at decode)');
  await t.throwsAsync(loadDataset(`csv:${join(inside, 'faces.csv')}:paths=everywhere`), { instanceOf: DataError, message: /paths=everywhere.*:paths=any/ });
  // Only outside rows (with a split asked for): the error names the skip reason, not the splits.
  await writeFile(join(inside, 'outside.csv'), ['path,age,split', `${outside[0].abs},32,train`].join('\n'));
  await t.throwsAsync(loadDataset(`csv:${join(inside, 'outside.csv')}:split=train`), { instanceOf: DataError, message: /every item was skipped \(1\): 1 outside_folder.*:paths=any/ });
});

test('an image over the pixel limit says so, with its size and how to raise the limit', async (t) => {
  const tmp = await tempDir('agekit-untrusted-');
  t.teardown(tmp.cleanup);
  const huge = join(tmp.dir, 'huge.png');
  await writeFile(huge, blackPng(20000, 20000));
  const err = await t.throwsAsync(readRgb(huge), { instanceOf: DataError });
  t.regex(err!.message, /huge\.png: image is over the pixel limit \(20000x20000 = 400000000 pixels; the limit is 268402689 pixels\); .*AGEKIT_MAX_IMAGE_PIXELS=/);
  t.notRegex(err!.message, /corrupt/);
  // The same variable lowers it, proving the hint works.
  const small = join(tmp.dir, 'small.png');
  await writeFile(small, blackPng(100, 100));
  t.is((await readRgb(small)).width, 100);
  await t.throwsAsync(readRgb(small, small, { maxPixels: maxImagePixels({ AGEKIT_MAX_IMAGE_PIXELS: '5000' }) }), { message: /100x100 = 10000 pixels; the limit is 5000/ });
  t.is((await readRgb(huge, huge, { maxPixels: 0, resize: { width: 50, height: 50 } })).width, 50, '0 removes the limit');
});

test('binary bytes in an error message are escaped and cut', async (t) => {
  const junk = '\x1b[2J\x00\x07' + '\ufffd'.repeat(5000);
  const err = new DataError(`bad age "${junk}"`, { where: 'labels.csv:3' });
  t.false(/[\x00-\x08\x1b]/.test(err.message), err.message.slice(0, 80));
  t.regex(err.message, /^labels\.csv:3: bad age "\\x1b\[2J\\x00\\x07\\u\{fffd\}/);
  t.regex(err.message, /\.\.\. \(\d+ more characters\)$/);
  t.true(err.message.length < 1700, `${err.message.length} chars`);
  t.is(printable('line one\nline\ttwo'), 'line one\nline\ttwo', 'newlines and tabs stay');
  // End to end: a spec with a terminal escape in it.
  const r = await cli(['data', 'check', 'csv:/nonexistent/\x1b[31mred.csv']);
  t.is(r.code, 1);
  t.false(r.stderr.includes('\x1b'), r.stderr);
  t.regex(r.stderr, /\\x1b\[31mred\.csv/);
});

dataTest(test)('predict skips a bad image and a box off the image, reports each, gives the others their ages and exits 1', async (t) => {
  const tmp = await tempDir('agekit-untrusted-');
  t.teardown(tmp.cleanup);
  const faces = await copyRealImages(tmp.dir, 2);
  const { text } = await writeBadImages(tmp.dir);
  const model = join(projectRoot, 'samples', 'models', 'student.tflite');
  const r = await cli(['predict', '--model', model, '--threads', '1', faces[0].abs, text, faces[1].abs]);
  t.is(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.is(lines.length, 3);
  t.true(lines[0].age > 0 && lines[2].age > 0);
  t.is(lines[1].image, text);
  t.regex(lines[1].error, /cannot be decoded/);
  t.regex(r.stderr, /skipped .*\.jpg: image cannot be decoded/);
  t.regex(r.stderr, /1 of 3 images skipped/);
  const box = await cli(['predict', '--model', model, '--threads', '1', '--box', '400,10,50,50', faces[0].abs]);
  t.is(box.code, 1);
  t.regex(JSON.parse(box.stdout).error, /lies entirely outside the 200x200 image/);
});
