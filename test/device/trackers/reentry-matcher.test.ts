// Re-entry in the tracker with signatures of real UTKFace face crops (sharp resizes them to the
// student's 64x64 input as the crop stage would): same face back within the time keeps its id, a
// different face or one back too late does not, and the signature is dropped when a track ends.
import test from 'ava';
import sharp from 'sharp';
import { IouTracker } from '../../../device/trackers/iou-tracker.ts';
import { ReentryPool } from '../../../device/trackers/reentry-matcher.ts';
import { appearanceSignature, signatureDistance, DEFAULT_REENTRY_THRESHOLD, type AppearanceSignature } from '../../../device/trackers/appearance-signature.ts';
import type { AgedFace } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, type UtkFace } from '../support/face-scene.ts';

/** Signature of a face photo cropped to `size` px, optionally scaled in brightness. */
async function signatureOf(face: UtkFace, size: number, gain = 1): Promise<AppearanceSignature> {
  const rgb = new Uint8Array(await sharp(face.path).removeAlpha().resize(size, size).raw().toBuffer()).map((v) => Math.min(255, Math.round(v * gain)));
  return appearanceSignature(rgb, size, size);
}

const at = (x: number, y: number, signature?: AppearanceSignature, age?: number): AgedFace => ({ box: { x, y, w: 100, h: 100, score: 0.9 }, age, signature });

dataTest(test)('a signature barely moves with crop size and exposure, and rarely matches a different person', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 24, 10, 80);
  const sigs = await Promise.all(faces.map((f) => signatureOf(f, 64)));
  for (const [i, f] of faces.entries()) {
    const d = signatureDistance(sigs[i], await signatureOf(f, 48, 0.8));
    t.true(d <= DEFAULT_REENTRY_THRESHOLD, `face ${i}: ${d.toFixed(3)} to itself smaller and darker`);
  }
  const diff: number[] = [];
  for (let i = 0; i < sigs.length; i++) for (let j = i + 1; j < sigs.length; j++) diff.push(signatureDistance(sigs[i], sigs[j]));
  const merged = diff.filter((d) => d <= DEFAULT_REENTRY_THRESHOLD).length;
  t.log(`${diff.length} pairs of different whole photos: closest ${Math.min(...diff).toFixed(3)}, ${merged} within the threshold ${DEFAULT_REENTRY_THRESHOLD}`);
  // Whole photos (not detector crops, see npm run bench:reentry): a few close pairs are possible, not many.
  t.true(merged / diff.length <= 0.02, `${merged} of ${diff.length} pairs`);
});

dataTest(test)('a face back within reentryMs at another place keeps its id and smoothed age; the track ends once, reentryMs after it left', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [a, b] = pickValFaces(utk, 2, 20, 60);
  const sa = await signatureOf(a, 64), sb = await signatureOf(b, 64), sa2 = await signatureOf(a, 56, 0.85);
  const tracker = new IouTracker({ reentry: { reentryMs: 3000 } });
  t.true(tracker.wantsSignatures);
  let id = 0;
  for (let f = 0; f < 10; f++) id = tracker.update(f * 100, [at(50, 50, sa, 40)])[0].track;
  // Out of sight 2 s (past maxMissedMs: no longer live, waiting), then back across the frame, and a stranger.
  for (let f = 10; f < 30; f++) t.deepEqual(tracker.update(f * 100, []), []);
  t.deepEqual(tracker.takeEnded(), [], 'no track_end while the visitor may come back');
  const back = tracker.update(3000, [at(400, 300, sb, 20), at(500, 50, sa2, 44)]);
  t.is(back[1].track, id);
  t.true(back[1].reentered);
  t.not(back[0].track, id);
  t.is(back[1].dwellMs, 3000);
  t.is(back[1].ageSmoothed, 40, 'the smoother kept its ten estimates of 40 across the gap');
  // Both leave for good: each ends once, 3 s after last seen.
  for (let f = 31; f <= 61; f++) tracker.update(f * 100, []);
  const ended = tracker.takeEnded();
  t.deepEqual(ended.map((e) => e.track).sort(), [id, back[0].track].sort());
  t.is(ended.find((e) => e.track === id)!.dwellMs, 3000);
  t.is(tracker.started, 2);
});

dataTest(test)('the pool matches one-to-one, closest first, and forgets after reentryMs', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [a, b] = pickValFaces(utk, 2, 20, 60);
  const sa = await signatureOf(a, 64), sb = await signatureOf(b, 64);
  const pool = new ReentryPool<string>({ reentryMs: 1000 });
  pool.add('A', sa, 0);
  pool.add('B', sb, 0);
  t.deepEqual(pool.match(500, [await signatureOf(b, 50), await signatureOf(a, 50)]), ['B', 'A']);
  // Two faces close to one waiting track: only the closer takes it.
  pool.add('A', sa, 0);
  const near = await signatureOf(a, 60), far = await signatureOf(a, 40, 0.8);
  const closerFirst = signatureDistance(sa, near) <= signatureDistance(sa, far);
  t.deepEqual(pool.match(500, [near, far]), closerFirst ? ['A', undefined] : [undefined, 'A']);
  pool.add('A', sa, 0);
  t.deepEqual(pool.match(1001, [sa]), [undefined], 'too late');
  t.deepEqual(pool.expire(1001), ['A']);
  t.is(pool.size, 0);
});

test('bad re-entry options name the option and the value', (t) => {
  t.throws(() => new ReentryPool({ reentryMs: -1 }), { message: /reentryMs.*-1|-1.*reentryMs|\(got -1\)/ });
  t.throws(() => new IouTracker({ reentry: { threshold: 2 } }), { message: /got 2/ });
});
