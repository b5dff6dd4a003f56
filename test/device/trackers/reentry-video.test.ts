// Re-entry end to end: videos of real UTKFace faces stepping out of view and back (known frames),
// through ffmpeg, BlazeFace and the shipped student on the real TFLite runtime, to the events file.
// Each scene runs with re-entry (the default 5 s) and without (--reentry-s 0), so the tests also
// measure the double counting re-entry removes (README "For signage integrators").
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { runDevice } from '../../../device/cli/run-device.ts';
import { DEFAULT_REENTRY } from '../../../device/trackers/reentry-matcher.ts';
import { DEFAULT_IOU_TRACKER } from '../../../device/trackers/iou-tracker.ts';
import { dataTest, projectRoot, requireUtkface } from '../../support/shared-data.ts';
import { encodeVideo, pickValFaces, renderScene, type PlacedFace, type Scene, type UtkFace } from '../support/face-scene.ts';
import { blazefaceTflite } from '../support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-reentry-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const FPS = 10;
const tOf = (f: number) => (f * 1000) / FPS;
type Rec = Record<string, any>;

/** A face standing still at (x, y), `size` px, in view on frames [enter, leave). */
const still = (face: UtkFace, size: number, x: number, y: number, enter: number, leave?: number): PlacedFace => ({ face, size, from: [x, y], to: [x + 4, y + 3], enter, leave });

let n = 0;
/** Render and encode the scene, run it through the device runtime with re-entry after `reentryS` (0: off); the events. */
async function runScene(scene: Scene, reentryS: number): Promise<Rec[]> {
  const id = ++n; // tests run concurrently: each run its own files
  const video = join(dir, `scene-${id}.mp4`);
  await encodeVideo(await renderScene(scene), scene.width, scene.height, FPS, video);
  const eventsOut = join(dir, `events-${id}.jsonl`);
  await runDevice({
    source: `file:${video}`, detector: await blazefaceTflite(), model: join(projectRoot, 'samples', 'models', 'student.tflite'), threads: 1, status: false,
    out: join(dir, `frames-${id}.jsonl`), eventsOut, deviceId: 'door', aggregateMs: 600_000, reentryMs: reentryS * 1000,
  }, new AbortController().signal, { stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
  return readFileSync(eventsOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

/** Tracks started, ended, and the one aggregate's OTS and impressions. */
function counts(events: Rec[]): { starts: Rec[]; ends: Rec[]; ots: number; impressions: number } {
  const aggs = events.filter((e) => e.event === 'aggregate');
  return {
    starts: events.filter((e) => e.event === 'track_start'), ends: events.filter((e) => e.event === 'track_end'),
    ots: aggs.reduce((s, a) => s + a.ots, 0), impressions: aggs.reduce((s, a) => s + a.impressions, 0),
  };
}

/** Run with and without re-entry; check both count `visitors` and `appearances` tracks; log the figures. */
async function compare(t: ExecutionContext, name: string, scene: Scene, visitors: number): Promise<{ on: Rec[]; off: Rec[] }> {
  const on = await runScene(scene, DEFAULT_REENTRY.reentryMs / 1000);
  const off = await runScene(scene, 0);
  const a = counts(on), b = counts(off);
  t.log(`${name}: ${visitors} visitors, ${scene.faces.length} appearances; re-entry 5 s: ${a.starts.length} tracks, OTS ${a.ots}, impressions ${a.impressions}; re-entry off: ${b.starts.length} tracks, OTS ${b.ots}, impressions ${b.impressions}`);
  t.is(a.starts.length, visitors, `${name}: tracks with re-entry ${JSON.stringify(a.starts.map((e) => [e.track, e.t_ms]))}`);
  t.is(a.ends.length, visitors);
  t.is(a.ots, visitors, `${name}: OTS counts each visitor once`);
  t.is(a.impressions, visitors, `${name}: impressions count each visitor once`);
  // Without re-entry every appearance is its own track: the double counting re-entry removes.
  t.is(b.starts.length, scene.faces.length, `${name}: tracks without re-entry`);
  t.is(b.impressions, scene.faces.length);
  return { on, off };
}

dataTest(test)('a visitor who steps out for 2 s and comes back elsewhere keeps one track: one track_start, one track_end, dwell over the whole visit, ended 5 s after leaving', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [face] = pickValFaces(utk, 1, 20, 60);
  // Out of view on frames 40..59 (2 s), back nearer the camera and further right.
  const scene: Scene = { width: 640, height: 480, frames: 160, faces: [still(face, 120, 80, 80, 5, 40), still(face, 150, 380, 200, 60, 100)] };
  const { on } = await compare(t, 'steps out 2 s', scene, 1);
  const [start] = on.filter((e) => e.event === 'track_start');
  const [end] = on.filter((e) => e.event === 'track_end');
  t.is(end.track, start.track);
  t.is(start.t_ms, tOf(5));
  const scripted = (100 - 5) / FPS;
  t.log(`dwell ${end.dwell_s} s (scripted ${scripted} s, first seen to last seen), attention ${end.attention_s} s, age ${end.age_smoothed} (${face.age} y), ${end.age_estimates} estimates`);
  t.true(Math.abs(end.dwell_s - scripted) <= 0.2, `dwell ${end.dwell_s} s, scripted ${scripted} s`);
  // The 2 s out of sight are dwell, not attention.
  t.true(end.attention_s <= scripted - 2 + 0.2, `attention ${end.attention_s} s`);
  // Age smoothing continued across the gap: estimates from both appearances.
  t.true(end.age_estimates >= 70, `${end.age_estimates} estimates`);
  // The visit ends when the pool lets it go: first frame more than 5 s after it was last seen (frame 99).
  const endFrame = 99 + Math.floor((Math.max(DEFAULT_REENTRY.reentryMs, DEFAULT_IOU_TRACKER.maxMissedMs) * FPS) / 1000) + 1;
  t.is(end.t_ms, tOf(endFrame));
});

dataTest(test)('two different people at the same spot, one leaving and the other arriving 1.5 s later, stay two tracks (no false merge)', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 6, 18, 70);
  // Three pairs, each a different person taking the same spot: worst case for position, so only appearance can tell.
  const scene: Scene = {
    width: 640, height: 480, frames: 120, faces: [
      still(faces[0], 130, 200, 150, 5, 40), still(faces[1], 130, 200, 150, 55, 90),
      still(faces[2], 110, 20, 20, 10, 35), still(faces[3], 110, 20, 20, 50, 80),
      still(faces[4], 110, 480, 300, 10, 35), still(faces[5], 120, 470, 290, 48, 85),
    ],
  };
  await compare(t, 'different people, same spot', scene, 6);
});

dataTest(test)('a visitor away longer than the re-entry time comes back as a new track', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [face] = pickValFaces(utk, 1, 30, 70);
  // Out of view on frames 40..99 (6 s > 5 s).
  const scene: Scene = { width: 640, height: 480, frames: 140, faces: [still(face, 130, 100, 100, 5, 40), still(face, 130, 300, 180, 100, 135)] };
  const a = counts(await runScene(scene, DEFAULT_REENTRY.reentryMs / 1000));
  t.is(a.starts.length, 2, JSON.stringify(a.starts.map((e) => [e.track, e.t_ms])));
  t.is(a.impressions, 2);
  t.not(a.starts[0].track, a.starts[1].track);
});

dataTest(test)('in a crowd of four, two step out and back at other places and a newcomer takes a free spot: four visitors, counted once each', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const f = pickValFaces(utk, 4, 12, 75);
  const scene: Scene = {
    width: 800, height: 480, frames: 170, faces: [
      still(f[0], 110, 30, 40, 5, 45), still(f[0], 120, 560, 300, 65, 110), // out 2 s, back at the far corner
      still(f[1], 120, 300, 60, 0), // stays
      still(f[2], 100, 560, 40, 10, 60), still(f[2], 100, 600, 60, 75, 120), // out 1.5 s, back near where it was
      still(f[3], 120, 30, 300, 55, 100), // a newcomer, arriving while the others are out
    ],
  };
  const { on } = await compare(t, 'crowd of four', scene, 4);
  const ends = on.filter((e) => e.event === 'track_end');
  t.log(ends.map((e) => `track ${e.track}: dwell ${e.dwell_s} s, age ${e.age_smoothed}`).join('; '));
});
