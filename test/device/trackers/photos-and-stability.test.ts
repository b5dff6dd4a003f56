// Photos are not a video: an images: source gives each photo's faces their own track unless
// --track; the preview label and the bucket come from one value; a still face on video is
// measured for age_smoothed jitter and bucket flips per minute in the run report.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { runDevice } from '../../../device/cli/run-device.ts';
import { previewOverlay } from '../../../device/sinks/preview-renderer.ts';
import { StabilityStats } from '../../../device/sinks/stability-stats.ts';
import { bucketOf, parseAgeBuckets } from '../../../device/trackers/age-buckets.ts';
import { DEFAULT_AGE_SMOOTHER } from '../../../device/trackers/age-smoother.ts';
import type { FrameResult } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { encodeVideo, pickValFaces, renderScene, writeJpeg } from '../support/face-scene.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-photos-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

interface Line { frame: number; faces: Array<{ track: number; age: number | null; age_smoothed: number | null; bucket: string | null }> }
const quiet = () => ({ stdout: new PassThrough(), stderr: new PassThrough() });

dataTest(test).serial('images: six photos of six people at the same spot are six faces, not one track; --track links them as a video', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  const faces = pickValFaces(utk, 6, 5, 80);
  for (let i = 0; i < faces.length; i++) {
    const [rgb] = await renderScene({ width: 320, height: 240, frames: 1, faces: [{ face: faces[i], size: 120, from: [100, 60], to: [100, 60] }] });
    await writeJpeg(rgb, 320, 240, join(photos, `${i}.jpg`));
  }
  const buckets = parseAgeBuckets();
  const run = async (track?: boolean) => {
    const out = join(dir, `photos-${track}.jsonl`);
    const rep = await runDevice({ source: `images:${photos}`, threads: 1, out, status: false, track }, new AbortController().signal, quiet());
    return { rep, lines: readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line) };
  };
  const own = await run();
  const found = own.lines.flatMap((l) => l.faces);
  t.true(found.length >= 5, `${found.length} faces found in 6 photos`);
  t.is(new Set(found.map((f) => f.track)).size, found.length, 'every face its own track');
  t.is(own.rep.tracks.count, found.length);
  t.is(own.rep.stability, undefined, 'no stability figures without tracks');
  for (const f of found) {
    t.is(f.age_smoothed, f.age, 'the shown age is the photo\'s own estimate');
    t.is(f.bucket, bucketOf(buckets, f.age!));
  }
  const linked = await run(true);
  const ids = new Set(linked.lines.flatMap((l) => l.faces.map((f) => f.track)));
  t.true(ids.size < found.length, `--track links the same spot across photos into ${ids.size} track(s)`);
});

test('the preview label shows the whole years the bucket was taken from', (t) => {
  const svg = previewOverlay(320, 240, [{ track: 3, box: { x: 10, y: 30, w: 50, h: 50, score: 0.9 }, age: 47.9, ageSmoothed: 44.6, bucket: bucketOf(parseAgeBuckets(), 44.6), dwellMs: 0 }]);
  t.regex(svg, />#3 44y 35-44</);
});

test('stability: spread of age_smoothed after warm-up and bucket flips per minute of tracked time', (t) => {
  const s = new StabilityStats({ warmupEstimates: 2 });
  const buckets = parseAgeBuckets();
  // One track, 1 frame per second: warm-up ages 50, 10, then 33, 36, 33, 36 (flips 25-34 / 35-44 three times in 3 s).
  [50, 10, 33, 36, 33, 36].forEach((a, i) => {
    const r: FrameResult = { frame: i, tMs: i * 1000, width: 1, height: 1, ended: [], stageMs: { capture: 0, detect: 0, crop: 0, estimate: 0, track: 0, output: 0, total: 0 },
      faces: [{ track: 1, box: { x: 0, y: 0, w: 1, h: 1, score: 1 }, age: a, ageSmoothed: a, bucket: bucketOf(buckets, a), dwellMs: i * 1000 }] };
    s.write(r);
  });
  const sum = s.summary();
  t.is(sum.tracks, 1);
  t.like(sum.list[0], { frames: 4, durationMs: 3000, bucketFlips: 3, ageRange: 3 });
  t.true(Math.abs(sum.list[0].ageSd - Math.sqrt(3)) < 1e-9); // sample sd of 33, 36, 33, 36
  t.is(sum.flipsPerMinute, 60);
});

const FRAMES = 60;

dataTest(test).serial('a still face on a 15 FPS video: the run report gives its age_smoothed spread and bucket flips per minute', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [face] = pickValFaces(utk, 1, 25, 45);
  const video = join(dir, 'still.mp4');
  await encodeVideo(await renderScene({ width: 640, height: 480, frames: FRAMES, faces: [{ face, size: 140, from: [250, 150], to: [252, 151] }] }), 640, 480, 15, video);
  const out = join(dir, 'still.jsonl');
  const rep = await runDevice({ source: `file:${video}`, threads: 1, out, status: false }, new AbortController().signal, quiet());
  const st = rep.stability!;
  const warmup = DEFAULT_AGE_SMOOTHER.window;
  t.is(st.warmup_estimates, warmup);
  t.is(st.tracks, 1);
  t.is(st.list[0].frames, FRAMES - warmup);
  // The report's figures are those of the age_smoothed values the run wrote, after the smoother's window filled.
  const shown = readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Line).faces[0]).slice(warmup);
  const ages = shown.map((f) => f.age_smoothed!);
  const mean = ages.reduce((a, b) => a + b, 0) / ages.length;
  const sd = Math.sqrt(ages.reduce((a, v) => a + (v - mean) ** 2, 0) / (ages.length - 1));
  const flips = shown.filter((f, i) => i > 0 && f.bucket !== shown[i - 1].bucket).length;
  t.true(Math.abs(st.list[0].age_sd - sd) < 0.05, // the JSON lines round ages to 0.1
    `${st.list[0].age_sd} vs ${sd}`);
  t.is(st.list[0].bucket_flips, flips);
  t.true(Math.abs(st.bucket_flips_per_minute - flips / (((FRAMES - warmup - 1) / 15) / 60)) < 0.01 * Math.max(1, flips));
  t.log(`still face (true age ${face.age}): age_smoothed sd ${sd.toFixed(2)} y, range ${st.list[0].age_range}, ${flips} bucket flips in ${((FRAMES - warmup - 1) / 15).toFixed(1)} s`);
});
