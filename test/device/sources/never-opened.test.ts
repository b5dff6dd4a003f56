import test from 'ava';
import { createV4l2Source } from '../../../device/sources/ffmpeg-sources.ts';
import { RawPipeSource, type SourceEvent } from '../../../device/sources/raw-pipe-source.ts';
import { SourceError } from '../../../core/errors.ts';
import { projectRoot } from '../../support/shared-data.ts';
import { runCli } from '../support/run-cli.ts';

async function drain(source: { frames(s: AbortSignal): AsyncIterable<unknown>; close(): Promise<void> }, signal = new AbortController().signal): Promise<number> {
  let n = 0;
  try {
    for await (const _ of source.frames(signal)) n++;
  } finally {
    await source.close();
  }
  return n;
}

test('a camera that never opens stops after the open timeout with ffmpeg\'s reason and a hint to list the cameras', async (t) => {
  const source = createV4l2Source('v4l2:/dev/video-agekit-missing', '/dev/video-agekit-missing', { backoffMs: 100, openTimeoutMs: 1500 });
  const t0 = Date.now();
  const err = await t.throwsAsync(drain(source), { instanceOf: SourceError });
  const took = Date.now() - t0;
  t.true(took >= 1400 && took < 10_000, `gave up after ${took} ms`);
  t.regex(err!.message, /^v4l2:\/dev\/video-agekit-missing: never opened: no frame in \d+ s and \d+ attempts? \(ffmpeg exited \(code 1\): .*No such file or directory\)/);
  t.regex(err!.message, /agekit-device cameras/);
  // How many attempts fit depends on how fast ffmpeg starts (slow on a loaded machine): not asserted.
  t.log(`${source.health.restarts} restarts before giving up after ${took} ms`);
});

test('a camera that gave frames and then vanished is retried past the open timeout, never given up', async (t) => {
  // One 2x2 RGB frame from the first start; every later start fails at once, like an unplugged camera.
  let starts = 0;
  const events: SourceEvent[] = [];
  const controller = new AbortController();
  const source = new RawPipeSource({
    id: 'test:vanishing', width: 2, height: 2, format: 'rgb24', live: true, backoffMs: 20, maxBackoffMs: 50, openTimeoutMs: 200,
    command: () => (starts++ === 0 ? { cmd: 'sh', args: ['-c', 'head -c 12 /dev/zero; sleep 0.1'] } : { cmd: 'sh', args: ['-c', 'echo "camera gone" >&2; exit 1'] }),
    onEvent: (e) => events.push(e),
  });
  setTimeout(() => controller.abort(), 1500);
  const frames = await drain(source, controller.signal);
  t.is(frames, 1);
  t.true(source.health.restarts >= 5, `${source.health.restarts} restarts in 1.5 s`);
  t.true(events.some((e) => e.kind === 'restarting' && /camera gone/.test(e.message)));
});

test('agekit run on a missing camera exits 1 after --open-timeout with the reason and the cameras hint', async (t) => {
  const t0 = Date.now();
  const r = await runCli(process.execPath, ['--import', 'tsx', 'device/main.ts', 'run', '--source', 'v4l2:/dev/video-agekit-missing', '--no-ages', '--open-timeout', '1', '--no-status'],
    { cwd: projectRoot, timeoutMs: 60_000 });
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /agekit: v4l2:\/dev\/video-agekit-missing: never opened: no frame in \d+ s/);
  t.regex(r.stderr, /agekit-device cameras lists the cameras/);
  t.true(Date.now() - t0 < 45_000);
});
