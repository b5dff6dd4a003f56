// The event builder on hand-made frames: update throttling, intervals without frames, the age
// spread after warm-up, a run without frames, and options checked at the boundary.
import test from 'ava';
import { AudienceEvents } from '../../../device/events/audience-events.ts';
import { eventRecord, type AudienceEvent } from '../../../device/events/audience-event.ts';
import { checkDeviceId } from '../../../device/events/event-envelope.ts';
import type { EndedTrack, FrameResult, TrackedFace } from '../../../device/stages.ts';

const face = (track: number, ageSmoothed: number, dwellMs = 0): TrackedFace => ({ track, box: { x: 0, y: 0, w: 80, h: 80, score: 0.9 }, age: ageSmoothed, ageSmoothed, bucket: '25-34', dwellMs });
const frame = (tMs: number, faces: TrackedFace[], ended: EndedTrack[] = []): FrameResult => ({
  frame: tMs, tMs, epochMs: 1_800_000_000_000 + tMs, width: 640, height: 480, faces, ended,
  stageMs: { capture: 0, detect: 0, crop: 0, estimate: 0, track: 0, output: 0, total: 0 },
});
const types = (events: AudienceEvent[]) => events.map((e) => e.type);

test('track_update comes at most once per updateMs per track; 0 sends none', (t) => {
  for (const updateMs of [250, 0]) {
    const b = new AudienceEvents({ deviceId: 'cam', updateMs, aggregateMs: 60_000 });
    const events = Array.from({ length: 31 }, (_, i) => b.frame(frame(i * 33, [face(1, 30, i * 33)]))).flat();
    const updates = events.filter((e) => e.type === 'track_update');
    // 990 ms of frames every 33 ms: updates at 264, 528, 792 (the first frame at least 250 ms after the last).
    t.deepEqual(updates.map((e) => e.tMs), updateMs ? [264, 528, 792] : []);
    t.deepEqual(types(events).filter((x) => x === 'track_start'), ['track_start']);
  }
});

test('an interval without frames (a camera that was down) sends no aggregate; the next one starts on the grid', (t) => {
  const b = new AudienceEvents({ deviceId: 'cam', aggregateMs: 1000 });
  b.frame(frame(0, [face(1, 30)]));
  const after = b.frame(frame(5500, [], [{ track: 1, ageSmoothed: 30, bucket: '25-34', dwellMs: 0, firstMs: 0, lastMs: 0 }]));
  t.deepEqual(types(after), ['aggregate', 'track_end']);
  const last = b.finish([]);
  t.deepEqual(types(last), ['aggregate']);
  const rec = eventRecord(last[0]);
  t.like(rec, { ots: 1, impressions: 1, frames: 1, interval_s: 0.5, from: new Date(1_800_000_005_000).toISOString(), to: new Date(1_800_000_005_500).toISOString() });
  t.like(eventRecord(after[0]), { from: new Date(1_800_000_000_000).toISOString(), to: new Date(1_800_000_001_000).toISOString() });
  t.deepEqual(b.finish([]), [], 'finish sends once');
});

test('age_sd is the spread of the smoothed age after warm-up, null without two such frames', (t) => {
  const b = new AudienceEvents({ deviceId: 'cam', warmupEstimates: 2 });
  const ages = [50, 50, 30, 32, 34];
  ages.forEach((a, i) => b.frame(frame(i * 100, [face(1, a), ...(i === 0 ? [face(2, 40)] : [])])));
  const ends = b.finish([
    { track: 1, ageSmoothed: 34, bucket: '25-34', dwellMs: 400, firstMs: 0, lastMs: 400 },
    { track: 2, ageSmoothed: 40, bucket: '35-44', dwellMs: 0, firstMs: 0, lastMs: 0 },
  ]).filter((e) => e.type === 'track_end').map(eventRecord);
  t.is(ends[0].age_sd, 2, 'sd of 30, 32, 34 (the first two estimates are warm-up)');
  t.is(ends[0].age_estimates, 5);
  t.is(ends[1].age_sd, null);
  t.is(ends[1].attention_s, 0, 'boxes without keypoints: no frame is attentive');
});

/** BlazeFace-like keypoints of a face whose nose sits `yaw` eye distances off the eye midpoint. */
const turned = (track: number, yaw: number): TrackedFace => ({
  ...face(track, 30),
  box: { x: 0, y: 0, w: 80, h: 80, score: 0.9, keypoints: [{ x: 20, y: 30 }, { x: 60, y: 30 }, { x: 40 + yaw * 40, y: 45 }, { x: 40, y: 60 }, { x: 5, y: 35 }, { x: 75, y: 35 }] },
});

test('attention_s is the time after attentive frames, never above dwell; watchers count visits with at least watcherMs of it', (t) => {
  const b = new AudienceEvents({ deviceId: 'cam', aggregateMs: 60_000, watcherMs: 500 });
  // Track 1 looks for frames 0-5 (0..500 ms), turns away for 6-9; track 2 is turned away throughout; track 3 glances for 2 frames.
  for (let i = 0; i < 10; i++) b.frame(frame(i * 100, [turned(1, i <= 5 ? 0.05 : 0.6), turned(2, -0.5), turned(3, i < 2 ? 0 : 0.6)]));
  const out = b.finish([1, 2, 3].map((track) => ({ track, ageSmoothed: 30, bucket: '25-34', dwellMs: 900, firstMs: 0, lastMs: 900 })));
  const ends = out.filter((e) => e.type === 'track_end').map(eventRecord);
  t.deepEqual(ends.map((e) => e.attention_s), [0.6, 0, 0.2], 'each attentive frame counts until the next frame of its track');
  t.true(ends.every((e) => (e.attention_s as number) <= (e.dwell_s as number)));
  const agg = eventRecord(out.at(-1)!);
  t.like(agg, { impressions: 3, watchers: 1, mean_attention_s: 0.27 });
  // A looser --attention-yaw takes in track 2 (|yaw| 0.5).
  const loose = new AudienceEvents({ deviceId: 'cam', attention: { maxYaw: 0.55 } });
  for (let i = 0; i < 3; i++) loose.frame(frame(i * 100, [turned(2, -0.5)]));
  t.is(eventRecord(loose.finish([{ track: 2, dwellMs: 200, firstMs: 0, lastMs: 200 }])[0]).attention_s, 0.2);
  t.throws(() => new AudienceEvents({ watcherMs: -1 }), { message: /watcherMs: .*\(got -1\)/ });
});

test('a run without frames sends nothing at the end; bad options and device ids name what to fix', (t) => {
  t.deepEqual(new AudienceEvents({ deviceId: 'cam' }).finish([]), []);
  t.throws(() => new AudienceEvents({ aggregateMs: 0 }), { message: /aggregateMs: aggregation interval must be above 0 ms \(got 0\)/ });
  t.throws(() => new AudienceEvents({ updateMs: -1 }), { message: /updateMs: .*\(got -1\)/ });
  t.throws(() => checkDeviceId('shop/door#1'), { message: /--device-id: device id must be 1-128 letters, digits or \. _ : - \(got "shop\/door#1"\)/ });
  t.is(checkDeviceId('shop12-door1'), 'shop12-door1');
});
