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
  t.is(ends[1].attention_s, null);
});

test('a run without frames sends nothing at the end; bad options and device ids name what to fix', (t) => {
  t.deepEqual(new AudienceEvents({ deviceId: 'cam' }).finish([]), []);
  t.throws(() => new AudienceEvents({ aggregateMs: 0 }), { message: /aggregateMs: aggregation interval must be above 0 ms \(got 0\)/ });
  t.throws(() => new AudienceEvents({ updateMs: -1 }), { message: /updateMs: .*\(got -1\)/ });
  t.throws(() => checkDeviceId('shop/door#1'), { message: /--device-id: device id must be 1-128 letters, digits or \. _ : - \(got "shop\/door#1"\)/ });
  t.is(checkDeviceId('shop12-door1'), 'shop12-door1');
});
