// Audience events end to end: a video of real UTKFace faces walking in and out (known frames),
// through ffmpeg, BlazeFace and the shipped student on the real TFLite runtime, to the events
// file, the frames file and a real mosquitto. Counts, dwell, aggregates, wall-clock times and
// event ids are checked against the script.
import { DEFAULT_AGE_SMOOTHER } from '../../../device/trackers/age-smoother.ts';
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { runDevice } from '../../../device/cli/run-device.ts';
import { DEFAULT_IOU_TRACKER } from '../../../device/trackers/iou-tracker.ts';
import { DEFAULT_REENTRY } from '../../../device/trackers/reentry-matcher.ts';
import { DEFAULT_AGE_BUCKETS, parseAgeBuckets } from '../../../device/trackers/age-buckets.ts';
import { dataTest, projectRoot, requireUtkface } from '../../support/shared-data.ts';
import { encodeVideo, pickValFaces, renderScene, type PlacedFace, type Scene } from '../support/face-scene.ts';
import { blazefaceTflite } from '../support/device-models.ts';
import { freePort, startMosquitto, stopMosquitto } from '../support/mosquitto.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-events-'));
const brokers: ChildProcess[] = [];
test.after.always(async () => { for (const b of brokers) await stopMosquitto(b); rmSync(dir, { recursive: true, force: true }); });

const FPS = 10, FRAMES = 120, AGGREGATE_MS = 4000, UPDATE_MS = 1000;
const tOf = (f: number) => (f * 1000) / FPS;

/** What the script says about one visitor: frames seen, and the frame whose processing ends its track (or the flush at the end). */
function visitOf(p: PlacedFace): { first: number; last: number; endT: number; flushed: boolean } {
  const first = p.enter ?? 0, last = (p.leave ?? FRAMES) - 1;
  // The tracker ends a track on the first frame more than maxMissedMs after it was last seen, or,
  // with re-entry on (the default), once the visitor has been out of sight longer than the re-entry time.
  const goneMs = Math.max(DEFAULT_IOU_TRACKER.maxMissedMs, DEFAULT_REENTRY.reentryMs);
  for (let f = last + 1; f < FRAMES; f++) if (tOf(f) - tOf(last) > goneMs) return { first, last, endT: tOf(f), flushed: false };
  return { first, last, endT: tOf(FRAMES - 1), flushed: true };
}

type Rec = Record<string, any>;

dataTest(test)('faces walking in and out of a real video give one track_start and one track_end each, scripted dwell, exact aggregates, wall-clock times and unique ids on the file and MQTT', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 4, 12, 75);
  const at = (x: number, y: number): { from: [number, number]; to: [number, number] } => ({ from: [x, y], to: [x + 6, y + 4] });
  // Entries and exits sit away from the 4 s interval edges, so one missed detection cannot move a count.
  const scene: Scene = {
    width: 640, height: 480, frames: FRAMES, faces: [
      { face: faces[0], size: 120, ...at(40, 60), enter: 5, leave: 35 },
      { face: faces[1], size: 120, ...at(260, 60), enter: 20, leave: 65 },
      { face: faces[2], size: 120, ...at(470, 60), enter: 50 }, // still there when the video ends: flushed
      { face: faces[3], size: 120, ...at(260, 300), enter: 85, leave: 100 },
    ],
  };
  const video = join(dir, 'visitors.mp4');
  await encodeVideo(await renderScene(scene), scene.width, scene.height, FPS, video);

  const port = await freePort();
  brokers.push(await startMosquitto(dir, port));
  const messages: Array<{ topic: string; body: Rec }> = [];
  const sub = mqtt.connect(`mqtt://127.0.0.1:${port}`);
  sub.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) }));
  await new Promise<void>((resolve) => sub.once('connect', () => sub.subscribe('shop/door7/#', { qos: 1 }, () => resolve())));

  const out = join(dir, 'frames.jsonl'), eventsOut = join(dir, 'events.jsonl');
  const startedAt = Date.now();
  await runDevice({
    source: `file:${video}`, detector: await blazefaceTflite(), model: join(projectRoot, 'samples', 'models', 'student.tflite'), threads: 1, status: false,
    out, eventsOut, deviceId: 'door-7', aggregateMs: AGGREGATE_MS, updateMs: UPDATE_MS, mqtt: `mqtt://127.0.0.1:${port}/shop/door7`,
  }, new AbortController().signal, { stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
  const endedAt = Date.now();

  const frames = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  const events = readFileSync(eventsOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  t.is(frames.length, FRAMES);
  t.false(events.some((e) => 'faces' in e), 'the events file holds events only');

  // Wall clock: every line carries its capture time, inside the run, in order, ISO and epoch agreeing.
  for (const l of [...frames, ...events]) {
    t.true(l.epoch_ms >= startedAt && l.epoch_ms <= endedAt, `epoch_ms ${l.epoch_ms} outside the run [${startedAt}, ${endedAt}]`);
    t.is(l.time, new Date(l.epoch_ms).toISOString());
    t.is(l.device_id, 'door-7');
  }
  t.true(frames.every((l, i) => i === 0 || l.epoch_ms >= frames[i - 1].epoch_ms), 'frame times never go back');
  // An event has the time of the frame it came from.
  const epochAtT = new Map(frames.map((l) => [l.t_ms, l.epoch_ms]));
  t.true(events.every((e) => epochAtT.get(e.t_ms) === e.epoch_ms), 'each event carries its frame\'s time');
  const ids = events.map((e) => e.event_id as string);
  t.is(new Set(ids).size, ids.length, 'event ids are unique');
  t.true(ids.every((id) => /^door-7-[0-9a-f]{8}-\d+$/.test(id)), ids[0]);

  // One track_start and one track_end per visitor, with the scripted dwell.
  const starts = events.filter((e) => e.event === 'track_start');
  const ends = events.filter((e) => e.event === 'track_end');
  t.is(starts.length, scene.faces.length, JSON.stringify(starts.map((e) => [e.track, e.t_ms, e.box])));
  t.is(ends.length, scene.faces.length);
  const visits = scene.faces.map(visitOf);
  const byStart = [...starts].sort((a, b) => a.t_ms - b.t_ms);
  scene.faces.forEach((p, i) => {
    const start = byStart[i];
    t.is(start.t_ms, tOf(visits[i].first), `face ${i} starts when it enters`);
    const end = ends.find((e) => e.track === start.track)!;
    const scripted = ((p.leave ?? FRAMES) - (p.enter ?? 0)) / FPS;
    t.log(`face ${i} (${p.face.age} y): dwell ${end.dwell_s} s (scripted ${scripted}), attention ${end.attention_s} s, age ${end.age_smoothed} ± ${end.age_sd} (${end.age_estimates} estimates), ${end.bucket}`);
    t.true(Math.abs(end.dwell_s - scripted) <= 0.2, `face ${i}: dwell ${end.dwell_s} s, scripted ${scripted} s`);
    t.is(end.t_ms, visits[i].endT, `face ${i}: track_end when the tracker gives up on it${visits[i].flushed ? ' (flushed at the end)' : ''}`);
    // Frontal faces: attention is measured, never more than dwell (the share turned to the screen is tested in test/device/attention/).
    t.true(typeof end.attention_s === 'number' && end.attention_s >= 0 && end.attention_s <= end.dwell_s, `face ${i}: attention ${end.attention_s} s of ${end.dwell_s} s`);
    t.is(end.bucket, parseAgeBuckets(DEFAULT_AGE_BUCKETS).find((b) => Math.floor(end.age_smoothed) >= b.min && Math.floor(end.age_smoothed) <= b.max)!.label);
    // The spread counts after the smoother's window has filled: a short visit has none.
    if (end.age_estimates >= DEFAULT_AGE_SMOOTHER.window + 2) t.true(typeof end.age_sd === 'number' && end.age_sd >= 0, `age_sd ${end.age_sd}`);
    else t.is(end.age_sd, null, `${end.age_estimates} estimates: too few for a spread after the ${DEFAULT_AGE_SMOOTHER.window}-estimate warm-up`);
    t.true(end.age_estimates >= visits[i].last - visits[i].first, `${end.age_estimates} estimates`);
    t.is(end.first_seen, new Date(start.epoch_ms).toISOString());
    // Updates: at most one a second, about one per second of the visit.
    const updates = events.filter((e) => e.event === 'track_update' && e.track === start.track);
    const expected = Math.floor((tOf(visits[i].last) - tOf(visits[i].first)) / UPDATE_MS);
    t.true(updates.length <= expected && updates.length >= expected - 1, `face ${i}: ${updates.length} updates, expected about ${expected}`);
    t.true(updates.every((u, k) => u.t_ms - (k ? updates[k - 1].t_ms : start.t_ms) >= UPDATE_MS));
  });

  // Aggregates: one per 4 s interval (the last one partial, at shutdown), counts as the script says.
  const aggs = events.filter((e) => e.event === 'aggregate');
  const intervals = Math.ceil(tOf(FRAMES) / AGGREGATE_MS);
  t.is(aggs.length, intervals);
  aggs.forEach((a, k) => {
    const from = k * AGGREGATE_MS, to = (k + 1) * AGGREGATE_MS;
    const inK = (tMs: number) => tMs >= from && tMs < to;
    const endedHere = visits.filter((v) => (v.flushed ? k === intervals - 1 : inK(v.endT)));
    const seenHere = visits.filter((v) => endedHere.includes(v) || Array.from({ length: v.last - v.first + 1 }, (_, j) => tOf(v.first + j)).some(inK));
    t.log(`aggregate ${k}: ots ${a.ots}, impressions ${a.impressions}, mean dwell ${a.mean_dwell_s} s, ${JSON.stringify(a.by_bucket)}`);
    t.is(a.ots, seenHere.length, `interval ${k}: ots`);
    t.is(a.impressions, endedHere.length, `interval ${k}: impressions`);
    t.is(a.frames, frames.filter((l) => inK(l.t_ms)).length);
    // The buckets and dwell are those of the track_end events since the previous aggregate.
    const prev = k ? events.indexOf(aggs[k - 1]) : -1;
    const itsEnds = events.slice(prev + 1, events.indexOf(a)).filter((e) => e.event === 'track_end');
    t.is(itsEnds.length, a.impressions);
    const counts = Object.fromEntries(parseAgeBuckets(DEFAULT_AGE_BUCKETS).map((b) => [b.label, itsEnds.filter((e) => e.bucket === b.label).length]));
    t.deepEqual(a.by_bucket, counts);
    if (itsEnds.length) t.true(Math.abs(a.mean_dwell_s - itsEnds.reduce((s, e) => s + e.dwell_s, 0) / itsEnds.length) < 0.01);
    else t.is(a.mean_dwell_s, null);
    // Watchers: the visits ending here with at least the default 0.5 s of attention.
    t.is(a.watchers, itsEnds.filter((e) => e.attention_s >= 0.5).length);
    if (itsEnds.length) t.true(Math.abs(a.mean_attention_s - itsEnds.reduce((s, e) => s + e.attention_s, 0) / itsEnds.length) < 0.01);
    else t.is(a.mean_attention_s, null);
    // Wall-clock spans back to back: from the first frame's time to the closing frame's (frames land on the 4 s marks).
    t.is(a.from, k ? aggs[k - 1].to : frames[0].time);
    t.is(a.to, a.time);
  });
  t.is(aggs.reduce((s, a) => s + a.impressions, 0), scene.faces.length, 'every visitor counted once over the intervals');

  // MQTT: the same events on <topic>/event, the aggregates on <topic>/aggregate.
  const until = Date.now() + 10_000;
  while (messages.length < events.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  sub.end(true);
  t.deepEqual(messages.filter((m) => m.topic === 'shop/door7/event').map((m) => m.body.event_id), events.filter((e) => e.event !== 'aggregate').map((e) => e.event_id));
  t.deepEqual(messages.filter((m) => m.topic === 'shop/door7/aggregate').map((m) => m.body), aggs);
});
