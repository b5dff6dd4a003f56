import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { FramePool } from '../../../device/sources/frame-pool.ts';
import { FrameAssembler, rawFrameBytes } from '../../../device/sources/frame-assembler.ts';
import { RawPipeSource } from '../../../device/sources/raw-pipe-source.ts';
import { createFileSource } from '../../../device/sources/ffmpeg-sources.ts';
import { runPipeline } from '../../../device/pipeline.ts';
import { BlazeFaceDetector } from '../../../device/detectors/blazeface-detector.ts';
import { IouTracker } from '../../../device/trackers/iou-tracker.ts';
import type { Frame, FramePixels, FrameResult, Sink } from '../../../device/stages.ts';
import { background, encodeVideo } from '../support/face-scene.ts';
import { blazefaceTflite } from '../support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-frame-pool-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** Frame f of a W x H clip: the textured background with a bright bar at column 2f. */
function barFrame(w: number, h: number, f: number): Uint8Array {
  const img = background(w, h);
  for (let y = 0; y < h; y++) img.fill(255, (y * w + 2 * f) * 3, (y * w + 2 * f + 2) * 3);
  return img;
}
const barAt = (rgb: Uint8Array, w: number, row: number) => {
  let best = 0, at = -1;
  for (let x = 0; x < w; x++) { const v = rgb[(row * w + x) * 3 + 1]; if (v > best) { best = v; at = x; } }
  return at;
};

test('a pool hands out a buffer again only after it is released, once, and keeps at most `keep` free', (t) => {
  const pool = new FramePool(12, { keep: 2 });
  const a = pool.acquire(), b = pool.acquire();
  t.not(a, b);
  t.is(pool.allocated, 2);
  pool.release(a);
  pool.release(a); // a double release must not let two later frames share `a`
  const c = pool.acquire(), d = pool.acquire();
  t.is(c, a);
  t.not(d, a);
  t.is(pool.reused, 1);
  pool.release(new Uint8Array(12)); // not the pool's: ignored
  t.is(pool.available, 0);
  for (const buf of [b, c, d]) pool.release(buf);
  t.is(pool.available, 2);
});

test('the assembler reuses a released frame, and frames never released stay intact', (t) => {
  const w = 40, h = 30;
  const asm = new FrameAssembler(w, h, 'rgb24');
  const stream = (f: number) => { const fr = barFrame(w, h, f); const got: Uint8Array[] = []; for (let o = 0; o < fr.length; o += 1000) got.push(...asm.push(fr.subarray(o, o + 1000))); return got; };
  const kept = [0, 1, 2].map((f) => stream(f)[0]);
  t.deepEqual(kept.map((k) => barAt(k, w, 10)), [0, 2, 4]);
  t.is(new Set(kept).size, 3);
  asm.release(kept[1]);
  const next = stream(3)[0];
  t.is(next, kept[1], 'the released buffer carries the next frame');
  t.is(barAt(next, w, 10), 6);
  t.deepEqual([barAt(kept[0], w, 10), barAt(kept[2], w, 10)], [0, 4], 'frames still held are untouched');
  t.is(asm.pool.allocated, 3);
  t.throws(() => new FrameAssembler(w, h, 'i420', new FramePool(rawFrameBytes(w, h, 'i420'))), { instanceOf: RangeError });
});

test('I420 frames are converted into pooled RGB buffers', (t) => {
  const w = 8, h = 6;
  const asm = new FrameAssembler(w, h, 'i420');
  const yuv = new Uint8Array(rawFrameBytes(w, h, 'i420')).fill(128);
  const [first] = asm.push(yuv);
  t.is(first.length, w * h * 3);
  asm.release(first);
  const [second] = asm.push(yuv);
  t.is(second, first);
  t.deepEqual([...second.subarray(0, 3)], [130, 130, 130]);
});

test('file: through real ffmpeg, releasing each frame reuses a few buffers and every frame arrives whole and in order', async (t) => {
  const w = 160, h = 120, n = 40;
  const video = join(dir, 'bars.mp4');
  await encodeVideo(Array.from({ length: n }, (_, f) => barFrame(w, h, f)), w, h, 30, video);
  const source = await createFileSource(`file:${video}`, `${video}`);
  const bars: number[] = [];
  for await (const frame of source.frames(new AbortController().signal)) {
    bars.push(barAt(frame.rgb, w, 60));
    source.release(frame);
  }
  await source.close();
  t.is(bars.length, n);
  t.true(bars.every((x, f) => Math.abs(x - 2 * f) <= 1), `bars at ${bars.join(',')}`);
  // Two frames wait while one is in use, one is being filled: far fewer buffers than frames.
  t.true(source.pool.allocated <= 5, `${source.pool.allocated} buffers for ${n} frames`);
  t.true(source.pool.reused >= n - 5);
});

test('releasing a frame twice, after its buffer came back as a later frame, never frees that later frame', async (t) => {
  const w = 32, h = 24, n = 20;
  // Real ffmpeg, paced (-re) so frames arrive one by one and each is assembled after the previous release.
  const source = new RawPipeSource({
    id: 'double-release', width: w, height: h, format: 'rgb24', live: false, fps: 50,
    command: () => ({ cmd: 'ffmpeg', args: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=50`, '-frames:v', String(n), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'] }),
  });
  let first: Frame | undefined, reuser: Frame | undefined, reuserPixels: Buffer | undefined;
  const after: Frame[] = [];
  try {
    for await (const frame of source.frames(new AbortController().signal)) {
      if (!first) { first = frame; source.release(frame); continue; }
      if (!reuser) {
        if (frame.rgb === first.rgb) {
          reuser = frame;
          reuserPixels = Buffer.from(frame.rgb);
          source.release(first); // the stale second release: must not free the reuser's buffer
        } else source.release(frame);
        continue;
      }
      after.push(frame); // held, never released: each needs its own buffer
    }
  } finally {
    await source.close();
  }
  t.truthy(reuser, 'a released buffer came back for a later frame');
  t.true(after.length > 0);
  t.false(after.some((f) => f.rgb === reuser!.rgb), 'a later frame was assembled into the buffer still held');
  t.deepEqual(Buffer.from(reuser!.rgb), reuserPixels!, 'the held frame was overwritten');
  // Releasing the held frame once still returns its buffer to the pool.
  const free = source.pool.available;
  source.release(reuser!);
  source.release(reuser!);
  t.is(source.pool.available, Math.min(free + 1, 4));
});

test('live: a slow sink holding a frame never sees it overwritten while the source keeps producing into the pool', async (t) => {
  const w = 160, h = 120;
  // A live camera stand-in made by the real ffmpeg: a moving test pattern at 50 fps, paced in real time.
  const source = new RawPipeSource({
    id: 'live-test', width: w, height: h, format: 'rgb24', live: true,
    command: () => ({ cmd: 'ffmpeg', args: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=50`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'] }),
  });
  const detector = await BlazeFaceDetector.create({ modelPath: await blazefaceTflite(), threads: 1 });
  const seen: Uint8Array[] = [];
  const changed: number[] = [];
  const contents = new Set<string>();
  const slowSink: Sink = {
    wantsPixels: true,
    async write(r: FrameResult, px?: FramePixels) {
      const rgb = px!.frame.rgb;
      const before = Buffer.from(rgb);
      seen.push(rgb);
      await sleep(100); // ~5 frames arrive meanwhile; all but the newest are dropped back into the pool
      if (Buffer.compare(before, Buffer.from(rgb)) !== 0) changed.push(r.frame);
      contents.add(before.toString('base64'));
    },
    async close() {},
  };
  try {
    const summary = await runPipeline({ source, detector, tracker: new IouTracker(), sinks: [slowSink], maxFrames: 8 }, new AbortController().signal);
    t.is(summary.frames, 8);
  } finally {
    await source.close();
    await detector.close();
  }
  t.deepEqual(changed, [], 'frames overwritten while the sink held them');
  t.true(contents.size > 1, 'the test pattern moves, so an overwrite would show');
  t.true(source.health.dropped > 0, 'the source kept producing while the sink was busy');
  t.true(source.pool.reused > 0);
  t.true(new Set(seen).size < seen.length, 'released buffers came back for later frames');
  t.true(source.pool.allocated <= 5, `${source.pool.allocated} buffers allocated`);
});
