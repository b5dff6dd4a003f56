import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSource } from '../../../device/sources/create-source.ts';
import { RawPipeSource, type SourceEvent } from '../../../device/sources/raw-pipe-source.ts';
import { createV4l2Source } from '../../../device/sources/ffmpeg-sources.ts';
import type { Frame, Source } from '../../../device/stages.ts';
import { background, encodeVideo } from '../support/face-scene.ts';

const W = 160, H = 120, N = 60;
const dir = mkdtempSync(join(tmpdir(), 'agekit-sources-'));
const video = join(dir, 'clip.mp4');
// Frame f has a bright bar at column 2f: decoded frames can be identified by its position.
const frames = Array.from({ length: N }, (_, f) => {
  const img = background(W, H);
  for (let y = 0; y < H; y++) for (let x = 2 * f; x < 2 * f + 2; x++) img.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return img;
});
const ready = encodeVideo(frames, W, H, 30, video);
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function collect(source: Source, limit = Infinity, onFrame?: (f: Frame) => void, signal = new AbortController().signal): Promise<Frame[]> {
  const got: Frame[] = [];
  for await (const f of source.frames(signal)) {
    got.push(f);
    onFrame?.(f);
    if (got.length >= limit) break;
  }
  await source.close();
  return got;
}

/** Column of the bright bar in a decoded frame (row 60). */
const barAt = (f: Frame) => {
  let best = 0, at = -1;
  for (let x = 0; x < f.width; x++) { const v = f.rgb[(60 * f.width + x) * 3 + 1]; if (v > best) { best = v; at = x; } }
  return at;
};

test('file: every frame of the video, in order, at its size, timestamped by position', async (t) => {
  await ready;
  const got = await collect(await createSource(`file:${video}`));
  t.is(got.length, N);
  t.deepEqual([got[0].width, got[0].height, got[0].rgb.length], [W, H, W * H * 3]);
  t.is(got[30].tMs, 1000);
  t.true(got.every((f, i) => f.index === i));
  t.true(Math.abs(barAt(got[10]) - 20) <= 1, `bar of frame 10 at ${barAt(got[10])}`);
});

test('file: --size rescales and --loop plays again with increasing timestamps', async (t) => {
  await ready;
  const got = await collect(await createSource(`file:${video}`, { loop: true, size: { width: 80, height: 60 } }), N + 20);
  t.is(got.length, N + 20);
  t.is(got[0].width, 80);
  t.true(got.every((f, i) => i === 0 || f.tMs > got[i - 1].tMs));
});

test('ffmpeg killed mid-stream: the file source restarts it, resumes near where it was, and reports it', async (t) => {
  await ready;
  const children: ChildProcess[] = [];
  const events: SourceEvent[] = [];
  const source = await createSource(`file:${video}`, {
    backoffMs: 20, onEvent: (e) => events.push(e),
    spawn: ((cmd: string, args: string[], o: object) => { const c = spawn(cmd, args, o); children.push(c); return c; }) as typeof spawn,
  });
  const got = await collect(source, Infinity, (f) => { if (f.index === 20) children[0].kill('SIGKILL'); });
  t.is(source.health.restarts, 1);
  t.is(children.length, 2);
  t.true(events.some((e) => e.kind === 'restarting' && /SIGKILL/.test(e.message)), JSON.stringify(events));
  // Frames sit in the pipe when ffmpeg dies; resuming by time may repeat or skip a few of them.
  t.true(got.length >= N - 8 && got.length <= N + 8, `${got.length} frames`);
  t.true(Math.abs(barAt(got[got.length - 1]) - 2 * (N - 1)) <= 2, 'ends at the last frame');
});

test('a stalled producer (SIGSTOP) is detected, killed and restarted', async (t) => {
  await ready;
  const children: ChildProcess[] = [];
  const source = await createSource(`file:${video}`, {
    stallTimeoutMs: 1500, backoffMs: 20,
    spawn: ((cmd: string, args: string[], o: object) => { const c = spawn(cmd, args, o); children.push(c); return c; }) as typeof spawn,
  });
  let stopped = false;
  const got = await collect(source, Infinity, (f) => { if (f.index === 5 && !stopped) { stopped = true; children[0].kill('SIGSTOP'); } });
  t.true(source.health.stalls >= 1);
  t.is(source.health.restarts, source.health.stalls);
  t.true(got.length >= N - 8, `${got.length} frames`);
});

test('a camera that is not there is retried with growing backoff and reported while the open timeout runs', async (t) => {
  const events: SourceEvent[] = [];
  const controller = new AbortController();
  const source = createV4l2Source('v4l2:/dev/video-agekit-missing', '/dev/video-agekit-missing', {
    backoffMs: 50,
    onEvent: (e) => { events.push(e); if (events.filter((x) => x.kind === 'restarting').length === 2) controller.abort(); },
  });
  const safety = setTimeout(() => controller.abort(), 60_000);
  const got = await collect(source, Infinity, undefined, controller.signal);
  clearTimeout(safety);
  t.is(got.length, 0);
  t.true(source.health.restarts >= 2, `${source.health.restarts} restarts`);
  const waits = events.filter((e) => e.kind === 'restarting').map((e) => Number(/restarting in (\d+) ms/.exec(e.message)?.[1]));
  t.true(waits[1] > waits[0], `backoff ${waits.join(', ')}`);
  t.regex(source.health.lastProblem ?? '', /ffmpeg exited \(code 1\): .*No such file or directory/);
});

test('a partial frame at the end of a raw stream is skipped and counted', async (t) => {
  const raw = join(dir, 'frames.raw');
  writeFileSync(raw, Buffer.concat(frames.slice(0, 3).map((f) => Buffer.from(f))));
  const bytes = Math.floor(2.5 * W * H * 3);
  const source = new RawPipeSource({
    id: 'raw', width: W, height: H, format: 'rgb24', live: false, fps: 10,
    command: () => ({ cmd: 'head', args: ['-c', String(bytes), raw] }),
  });
  const got = await collect(source);
  t.is(got.length, 2);
  t.is(source.health.badFrames, 1);
});

test('bad specs: unknown scheme, missing file, missing ffmpeg are clear errors', async (t) => {
  await t.throwsAsync(createSource('usb:/dev/video0'), { message: /--source: unknown source "usb:\/dev\/video0".*v4l2:/ });
  await t.throwsAsync(createSource(`file:${join(dir, 'nope.mp4')}`), { message: /video file not found/ });
  await ready;
  await t.throwsAsync(createSource(`file:${video}`, { ffmpegPath: join(dir, 'bin', 'ffmpeg') }), { message: /ffprobe not installed.*apt-get install ffmpeg/ });
});

test('a live network stream (HTTP served by a real ffmpeg) is read live with wall-clock timestamps', async (t) => {
  await ready;
  const port = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
  const server = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', video, '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/live.ts`], { stdio: 'ignore' });
  t.teardown(() => { server.kill('SIGKILL'); });
  const controller = new AbortController();
  const safety = setTimeout(() => controller.abort(), 90_000);
  // --size given: no ffprobe, whose connection would use up the server's single listen.
  const source = await createSource(`http://127.0.0.1:${port}/live.ts`, { size: { width: W, height: H }, backoffMs: 200 });
  const got = await collect(source, 8, undefined, controller.signal);
  clearTimeout(safety);
  t.is(got.length, 8);
  t.true(got.every((f, i) => i === 0 || f.tMs > got[i - 1].tMs));
  t.true(got[0].tMs > 1000, 'monotonic clock, not video position');
  t.is(got[0].width, W);
});

test('a slow consumer of a file is not a stall: ffmpeg waits on the pipe and nothing is restarted', async (t) => {
  await ready;
  const source = await createSource(`file:${video}`, { stallTimeoutMs: 300 });
  const got: Frame[] = [];
  for await (const f of source.frames(new AbortController().signal)) {
    got.push(f);
    if (got.length <= 3) await new Promise((r) => setTimeout(r, 700));
    if (got.length === 8) break;
  }
  await source.close();
  t.is(source.health.stalls, 0);
  t.is(source.health.restarts, 0);
  t.deepEqual(got.map((f) => f.index), [0, 1, 2, 3, 4, 5, 6, 7]);
});
