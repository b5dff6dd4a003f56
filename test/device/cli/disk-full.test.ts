// Writers on a full disk (a real 1 MB tmpfs): run keeps going with whole files and counted losses,
// reports and .tflite files are refused cleanly, nothing half-written or temporary is left.
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { runDevice } from '../../../device/cli/run-device.ts';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { mountSmallDisk } from '../../support/tmpfs.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-disk-full-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let frames: Promise<string> | undefined;
const faceFrames = (utk: string) => (frames ??= writeFaceFrames(utk, join(dir, 'frames')));

dataTest(test.serial)('run on a full disk keeps running: JSON lines and events stay whole, lost lines and frames are counted, /healthz and the report say so', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const disk = mountSmallDisk(t, '1m');
  if (!disk) return;
  const imgs = await faceFrames(utk);
  const out = join(disk.dir, 'out.jsonl'), eventsOut = join(disk.dir, 'events.jsonl');
  const report = join(dir, 'report.json');
  let stderr = '';
  const err = new PassThrough().on('data', (d) => { stderr += d; });
  const healthz: string[] = [];
  let url = '';
  const poll = setInterval(() => { if (url) void fetch(`${url}/healthz`).then((r) => r.text()).then((b) => healthz.push(b)).catch(() => undefined); }, 100);
  try {
    await runDevice({
      source: `images:${imgs}`, loop: true, ages: false, threads: 1, status: false, maxFrames: 400,
      out, eventsOut, saveFrames: join(disk.dir, 'frames'), report, http: '127.0.0.1:0', onListening: (u) => { url = u; },
    }, new AbortController().signal, { stdout: new PassThrough().resume(), stderr: err });
  } finally {
    clearInterval(poll);
  }
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  t.is(rep.frames, 400, 'every frame was processed');
  const byName = Object.fromEntries(rep.outputs.map((o: { output: string }) => [o.output, o]));
  t.log(JSON.stringify(rep.outputs));
  t.true(byName['saved frames'].not_written > 0 && byName['saved frames'].written > 0);
  t.true(byName.frames.not_written > 0, 'the JSON lines file hit the full disk too');
  t.regex(byName.frames.last_error, /^ENOSPC: the disk is full/);
  t.is(byName.frames.written + byName.frames.not_written, 400);
  // The file is whole: every line is complete JSON, and exactly the written ones are there.
  const text = readFileSync(out, 'utf8');
  t.true(text.endsWith('\n'));
  const lines = text.trim().split('\n');
  t.is(lines.length, byName.frames.written);
  for (const l of lines) JSON.parse(l);
  // The events file too: whole lines, exactly the written ones, the outage said once.
  t.true(byName.events.not_written > 0 && byName.events.written > 0, JSON.stringify(byName.events));
  const eventLines = readFileSync(eventsOut, 'utf8');
  t.true(eventLines.endsWith('\n'));
  t.is(eventLines.trim().split('\n').filter((l) => JSON.parse(l).event_id).length, byName.events.written);
  t.is(stderr.match(/events .*events\.jsonl: not written from now on \(ENOSPC/g)?.length, 1, stderr);
  // Saved frames come in whole pairs.
  const saved = readdirSync(join(disk.dir, 'frames'));
  t.is(saved.filter((n) => n.endsWith('.jpg')).length, saved.filter((n) => n.endsWith('.json')).length);
  // The outage is logged once per output, not once per frame.
  t.is(stderr.match(/frames .*out\.jsonl: not written from now on \(ENOSPC/g)?.length, 1, stderr);
  t.is(stderr.match(/saved frames .*: not written from now on \(ENOSPC/g)?.length, 1);
  t.regex(stderr, /frames .*out\.jsonl: \d+ not written \(ENOSPC: the disk is full\), \d+ written/);
  t.true(healthz.some((b) => /^ok, degraded: .*not written \(ENOSPC/.test(b)), healthz.slice(-3).join(' | '));
});

dataTest(test.serial)('a report that does not fit says so, naming the file, and leaves no temp file', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const disk = mountSmallDisk(t, '1m');
  if (!disk) return;
  // Fill the disk to the last byte.
  try { writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(2 * 1024 * 1024)); } catch { /* ENOSPC: full now */ }
  const report = join(disk.dir, 'report.json');
  const r = await runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'device', 'main.ts'), 'run', '--source', `images:${await faceFrames(utk)}`, '--no-ages', '--no-status', '--threads', '1', '--report', report], { cwd: projectRoot });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /report\.json: the report was not written: the disk is full \(ENOSPC\); any previous version of it is unchanged; free space/);
  t.notRegex(r.stderr, /internal error/);
  t.deepEqual(readdirSync(disk.dir), ['filler']);
  t.regex(r.stderr, /4 frames in/, 'the summary was printed before');
});

test.serial('convert to a full disk and to an existing folder: clear errors, no temp file left', async (t) => {
  const disk = mountSmallDisk(t, '1m');
  if (!disk) return;
  const cli = (args: string[]) => runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), ...args], { cwd: projectRoot });
  const model = join(projectRoot, 'samples', 'models', 'student');
  const full = await cli(['convert', '--model', model, '--out', join(disk.dir, 'student.tflite')]);
  t.is(full.code, 1, full.stderr);
  t.regex(full.stderr, /student\.tflite: the \.tflite file was not written: the disk is full \(ENOSPC\)/);
  t.notRegex(full.stderr, /internal error/);
  t.deepEqual(readdirSync(disk.dir), []);
  const folder = await cli(['convert', '--model', model, '--out', disk.dir]);
  t.is(folder.code, 2);
  t.regex(folder.stderr, /--out: .* is a folder; give the \.tflite file to write, e.g\. .*student\.tflite/);
  // A temp file left by a killed writer (its process gone) is removed by the next convert there.
  const stale = join(dir, '.student.tflite.999999.1700000000000.tmp');
  writeFileSync(stale, 'half a model');
  const { utimesSync } = await import('node:fs');
  utimesSync(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const ok = await cli(['convert', '--model', model, '--out', join(dir, 'student.tflite')]);
  t.is(ok.code, 0, ok.stderr);
  t.false(existsSync(stale));
  t.regex(ok.stderr, /removed 1 temp file left by an interrupted write: \.student\.tflite\.999999\.1700000000000\.tmp/);
});
