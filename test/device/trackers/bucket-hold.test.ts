// Hysteresis at bucket borders: the bucket changes only past the hold; the label stays in the bucket.
import test from 'ava';
import { BucketHold } from '../../../device/trackers/bucket-hold.ts';
import { IouTracker } from '../../../device/trackers/iou-tracker.ts';
import { bucketOf, parseAgeBuckets, shownAge } from '../../../device/trackers/age-buckets.ts';

const buckets = parseAgeBuckets('0-24,25-34,35-44,45+');

test('a smoothed age wandering across a border keeps its bucket until it is more than the hold past it', (t) => {
  const hold = new BucketHold(buckets, 2);
  t.deepEqual(hold.show(33.5), { age: 33.5, bucket: '25-34' });
  // 35.9 and 36.9 are 35 and 36 whole years: within 2 years of the 25-34 range's end (35.0): held, shown as 34.
  t.deepEqual(hold.show(35.9), { age: 34.99, bucket: '25-34' });
  t.deepEqual(hold.show(36.9), { age: 34.99, bucket: '25-34' });
  t.deepEqual(hold.show(37.0), { age: 37.0, bucket: '35-44' });
  // Back down: held in 35-44 down to 33.0.
  t.deepEqual(hold.show(33.2), { age: 35, bucket: '35-44' });
  t.deepEqual(hold.show(32.9), { age: 32.9, bucket: '25-34' });
  // A jump over a whole bucket is taken at once.
  t.deepEqual(hold.show(60), { age: 60, bucket: '45+' });
});

test('hold 0 is the plain bucket of the smoothed age', (t) => {
  const hold = new BucketHold(buckets, 0);
  for (const a of [33.5, 35.1, 34.9, 35.0, 24.99, 25]) t.deepEqual(hold.show(a), { age: a, bucket: bucketOf(buckets, a) });
});

test('the tracker shows one value: its whole years lie in the bucket, on every frame of a face whose estimates flip across a border', (t) => {
  const run = (holdYears: number) => {
    const tracker = new IouTracker({ buckets, bucketHoldYears: holdYears, smoothing: { method: 'median', window: 3 } });
    const ests = [33, 34, 36, 35.5, 34, 36.5, 34.5, 35.2, 36, 34.8, 36.1, 34.2];
    let flips = 0, last = '';
    ests.forEach((age, i) => {
      const [f] = tracker.update(i * 66, [{ box: { x: 100, y: 100, w: 80, h: 80, score: 0.9 }, age }]);
      t.is(bucketOf(buckets, f.ageSmoothed!) as string | undefined, f.bucket, `frame ${i}: shown ${f.ageSmoothed} (${shownAge(f.ageSmoothed!)}y) in ${f.bucket}`);
      if (last && f.bucket !== last) flips++;
      last = f.bucket!;
    });
    const [ended] = tracker.flush();
    t.is(ended.bucket, last, 'the ended track keeps the bucket it showed');
    return flips;
  };
  const without = run(0), withHold = run(2);
  t.true(without >= 3, `without a hold the bucket flips ${without} times`);
  t.is(withHold, 0, 'with a 2-year hold it never leaves 25-34');
});
