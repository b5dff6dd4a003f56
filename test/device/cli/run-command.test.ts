import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { runCli } from '../support/run-cli.ts';
import { sizeFlag } from '../../../device/cli/cli-args.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-run-cli-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const agekit = (args: string[], o: Parameters<typeof runCli>[2] = {}) => runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'device', 'main.ts'), ...args], { cwd: projectRoot, ...o });

test('usage errors exit 2 with a message naming the flag', async (t) => {
  const bad = await agekit(['run', '--source', 'usb:/dev/video0', '--no-ages', '--no-status']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--source: unknown source "usb:\/dev\/video0"/);
  t.throws(() => sizeFlag('--size')('640by480'), { message: /--size: expected WIDTHxHEIGHT/ });
  const id = await agekit(['run', '--source', 'images:/nonexistent', '--device-id', 'shop/door1', '--no-ages', '--no-status']);
  t.is(id.code, 2);
  t.regex(id.stderr, /--device-id: device id must be .* \(got "shop\/door1"\)/);
  t.deepEqual(sizeFlag('--size')('1280x720'), { width: 1280, height: 720 });
});

dataTest(test)('Ctrl-C stops the source, prints the latency table and summary, writes the report and exits 0', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const imgs = await writeFaceFrames(utk, join(dir, 'imgs'));
  const report = join(dir, 'report.json'), eventsOut = join(dir, 'events.jsonl');
  const r = await agekit(['run', '--source', `images:${imgs}`, '--track', '--loop', '--no-ages', '--threads', '1', '--report', report,
    '--events-out', eventsOut, '--device-id', 'door-1', '--aggregate-s', '0.2', '--update-s', '0'], { signalAfterLines: { lines: 6, signal: 'SIGINT' } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /SIGINT, stopping/);
  t.regex(r.stderr, /stage +p50 ms +p95 ms +max ms/);
  t.regex(r.stderr, /agekit run: \d+ frames in [\d.]+ s \([\d.]+ frames\/s incl\. source start\), \d+ faces, 2 tracks/);
  t.regex(r.stderr, /^\d+ frames, \d+ faces, pipeline FPS [\d.]+ \(first to last frame\)$/m);
  t.regex(r.stderr, /machine: .*cores/);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.true(lines.length >= 6);
  t.is(lines[0].faces.length, 2);
  t.true(existsSync(report));
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  t.is(rep.frames, lines.length);
  t.is(rep.tracks.count, 2);
  // The events file: the two tracks' start and end (ended by the stop), aggregates every 0.2 s of frames, no updates.
  const events = readFileSync(eventsOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.true(events.every((e) => e.device_id === 'door-1'));
  t.is(events.filter((e) => e.event === 'track_start').length, 2);
  t.is(events.filter((e) => e.event === 'track_end').length, 2);
  t.is(events.filter((e) => e.event === 'track_update').length, 0);
  t.is(events.filter((e) => e.event === 'aggregate').length, Math.ceil(lines.length / 2), 'frames come every 100 ms: one aggregate per two, the last at the stop');
  t.is(events[events.length - 1].event, 'aggregate');
  t.like(lines[0], { device_id: 'door-1' });
});
