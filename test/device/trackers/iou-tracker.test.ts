import test from 'ava';
import { IouTracker } from '../../../device/trackers/iou-tracker.ts';
import { AgeSmoother } from '../../../device/trackers/age-smoother.ts';
import { bucketOf, parseAgeBuckets, DEFAULT_AGE_BUCKETS } from '../../../device/trackers/age-buckets.ts';
import type { AgedFace } from '../../../device/stages.ts';

const face = (x: number, y: number, size: number, age?: number): AgedFace => ({ box: { x, y, w: size, h: size, score: 0.9 }, age });

test('two faces moving slowly keep their ids over many frames', (t) => {
  const tracker = new IouTracker();
  const ids = new Set<string>();
  for (let f = 0; f < 50; f++) {
    const out = tracker.update(f * 33, [face(10 + 3 * f, 20, 100, 30), face(400 - 2 * f, 200, 80, 60)]);
    ids.add(`${out[0].track},${out[1].track}`);
  }
  t.deepEqual([...ids], ['1,2']);
  t.is(tracker.started, 2);
});

test('faces listed in a different order are matched by overlap, not by position in the list', (t) => {
  const tracker = new IouTracker();
  const a = tracker.update(0, [face(0, 0, 100), face(300, 300, 100)]);
  const b = tracker.update(33, [face(302, 301, 100), face(2, 1, 100)]);
  t.is(b[0].track, a[1].track);
  t.is(b[1].track, a[0].track);
});

test('a new face gets a new id and a face gone longer than maxMissedMs ends its track with its dwell', (t) => {
  const tracker = new IouTracker({ maxMissedMs: 500 });
  tracker.update(0, [face(0, 0, 100, 40)]);
  tracker.update(1000, [face(2, 0, 100, 42)]);
  t.deepEqual(tracker.takeEnded(), []);
  const out = tracker.update(2000, [face(300, 300, 100, 20)]);
  t.is(out[0].track, 2);
  const ended = tracker.takeEnded();
  t.is(ended.length, 1);
  t.is(ended[0].track, 1);
  t.is(ended[0].dwellMs, 1000);
  t.is(ended[0].ageSmoothed, 41);
  t.is(ended[0].bucket, '35-44');
  t.is(tracker.flush()[0].track, 2);
});

test('time that does not increase strictly is an error (video mode)', (t) => {
  const tracker = new IouTracker();
  tracker.update(100, []);
  t.throws(() => tracker.update(100, []), { message: /must increase strictly \(got 100 ms after 100 ms\)/ });
  t.throws(() => tracker.update(50, []), { message: /got 50 ms/ });
});

test('median smoothing ignores one wild estimate; exponential follows with weight alpha', (t) => {
  const median = new AgeSmoother({ method: 'median', window: 5 });
  for (const a of [30, 31, 90, 29, 30]) median.add(a);
  t.is(median.value, 30);
  const ema = new AgeSmoother({ method: 'exponential', alpha: 0.5 });
  ema.add(20); ema.add(40);
  t.is(ema.value, 30);
  const windowed = new AgeSmoother({ method: 'median', window: 2 });
  for (const a of [10, 50, 60]) windowed.add(a);
  t.is(windowed.value, 55);
});

test('smoothed ages of a track come from its own estimates only', (t) => {
  const tracker = new IouTracker({ smoothing: { method: 'median', window: 3 } });
  let out = tracker.update(0, [face(0, 0, 100, 20), face(300, 0, 100, 70)]);
  out = tracker.update(10, [face(1, 0, 100, 22), face(301, 0, 100, 72)]);
  out = tracker.update(20, [face(2, 0, 100, 24), face(302, 0, 100)]);
  t.is(out[0].ageSmoothed, 22);
  t.is(out[1].ageSmoothed, 71);
  t.is(out[1].age, undefined);
  t.is(out[0].bucket, '16-24');
  t.is(out[1].bucket, '65+');
});

test('age buckets: default spec, whole-year boundaries, custom spec and bad specs', (t) => {
  const b = parseAgeBuckets(DEFAULT_AGE_BUCKETS);
  t.is(b.length, 7);
  t.is(bucketOf(b, 15.9), '0-15');
  t.is(bucketOf(b, 16), '16-24');
  t.is(bucketOf(b, 64.99), '55-64');
  t.is(bucketOf(b, 99), '65+');
  t.is(bucketOf(b, -3), '0-15');
  const custom = parseAgeBuckets('0-17,18-59,60+');
  t.is(bucketOf(custom, 30), '18-59');
  t.throws(() => parseAgeBuckets('0-12,14-20'), { message: /gap or overlap/ });
  t.throws(() => parseAgeBuckets('0-12,abc'), { message: /bad age bucket "abc"/ });
});

test('a small face moving nearly its own width per frame keeps its id (velocity prediction)', (t) => {
  const tracker = new IouTracker();
  const ids = new Set<number>();
  for (let f = 0; f < 20; f++) ids.add(tracker.update(f * 66, [face(20 + 45 * f, 300, 50)])[0].track);
  t.deepEqual([...ids], [1]);
});

test('two faces passing close by do not swap ids', (t) => {
  const tracker = new IouTracker();
  let first: number[] = [];
  for (let f = 0; f < 10; f++) {
    const out = tracker.update(f * 33, [face(100 + 10 * f, 100, 80), face(300 - 10 * f, 200, 80)]);
    if (f === 0) first = out.map((o) => o.track);
    t.deepEqual(out.map((o) => o.track), first);
  }
});
