/**
 * Stable face ids across frames by IoU matching: each frame's faces are matched greedily (best
 * overlap first) to where the live tracks are predicted to be (last box moved at the track's
 * velocity, so a walking face keeps its id at low frame rates); a face that overlaps no
 * prediction but whose centre is within one face width of one still matches, with lower priority;
 * a face left unmatched may be a visitor coming back: re-entry ({@link ReentryPool}) gives it the
 * track of a visitor out of sight for up to `reentry.reentryMs` whose appearance signature is close;
 * any other unmatched face starts a track. A track unseen for `maxMissedMs` waits for re-entry
 * (when faces carry signatures) and ends once out of sight for longer than both. Each track smooths
 * its age estimates (across a re-entry too) and knows its dwell time, first seen to last seen.
 * Video mode: `tMs` must increase strictly, as in MediaPipe's VIDEO mode.
 *
 * @example
 * const tracker = new IouTracker({ smoothing: { method: 'median', window: 30 }, bucketHoldYears: 2 });
 * const tracked = tracker.update(frame.tMs, faces);
 */
import { AgekitError } from '../../core/errors.ts';
import { iou } from '../detectors/non-max-suppression.ts';
import type { AgedFace, EndedTrack, FaceBox, TrackedFace, Tracker } from '../stages.ts';
import { AgeSmoother, type AgeSmootherOptions } from './age-smoother.ts';
import { parseAgeBuckets, type AgeBucket } from './age-buckets.ts';
import { BucketHold, DEFAULT_BUCKET_HOLD_YEARS } from './bucket-hold.ts';
import { blendSignature, type AppearanceSignature } from './appearance-signature.ts';
import { ReentryPool, type ReentryOptions } from './reentry-matcher.ts';

export interface IouTrackerOptions {
  /** Least overlap between a track's last box and a face to be the same person. Default 0.3. */
  iouThreshold?: number;
  /** A track unmatched for longer than this ends. Default 1000 ms. */
  maxMissedMs?: number;
  smoothing?: AgeSmootherOptions;
  /** Age buckets, parsed or as a spec string. Default 0-15,16-24,25-34,35-44,45-54,55-64,65+. */
  buckets?: AgeBucket[] | string;
  /**
   * Years beyond a bucket's range the smoothed age must go before a track changes bucket; the shown
   * age is clamped into the held bucket meanwhile. 0 turns the hysteresis off. Default 2.
   */
  bucketHoldYears?: number;
  /** Re-entry of visitors out of sight for a short time (needs faces with a `signature`). Default {@link DEFAULT_REENTRY}: on, 5000 ms. */
  reentry?: ReentryOptions;
}

export const DEFAULT_IOU_TRACKER = { iouThreshold: 0.3, maxMissedMs: 1000 } as const;

interface Track {
  id: number; box: FaceBox; firstMs: number; lastMs: number; smoother: AgeSmoother; hold: BucketHold; vx: number; vy: number; shown?: { age: number; bucket: string };
  /** Running appearance signature, in memory only, for re-entry; dropped when the track ends. */
  signature?: AppearanceSignature;
}

/** Weight of a frame's signature in a track's running one: a few frames' average, so one blurred frame does not decide. */
const SIGNATURE_BLEND = 0.2;

export class IouTracker implements Tracker {
  private readonly tracks: Track[] = [];
  private ended: EndedTrack[] = [];
  private nextId = 1;
  private lastT = -Infinity;
  private readonly buckets: AgeBucket[];
  private readonly iouThreshold: number;
  private readonly maxMissedMs: number;
  private readonly pool: ReentryPool<Track>;

  constructor(private readonly o: IouTrackerOptions = {}) {
    this.buckets = typeof o.buckets === 'string' || o.buckets === undefined ? parseAgeBuckets(o.buckets) : o.buckets;
    this.iouThreshold = o.iouThreshold ?? DEFAULT_IOU_TRACKER.iouThreshold;
    this.maxMissedMs = o.maxMissedMs ?? DEFAULT_IOU_TRACKER.maxMissedMs;
    this.pool = new ReentryPool(o.reentry);
  }

  /** True when re-entry is on: the pipeline then gives each face an appearance signature. */
  get wantsSignatures(): boolean {
    return this.pool.reentryMs > 0;
  }

  /** Total tracks started so far. */
  get started(): number {
    return this.nextId - 1;
  }

  update(tMs: number, faces: AgedFace[]): TrackedFace[] {
    if (!(tMs > this.lastT)) {
      throw new AgekitError(`tracker time must increase strictly (got ${tMs} ms after ${this.lastT} ms)`, { where: 'IouTracker.update', hint: 'give each frame a later timestamp (video mode)' }, 'TRACKER_TIME');
    }
    this.lastT = tMs;
    // Greedy matching, best overlap first.
    const pairs: Array<[number, number, number]> = [];
    this.tracks.forEach((t, ti) => {
      const dt = tMs - t.lastMs;
      const pred = { ...t.box, x: t.box.x + t.vx * dt, y: t.box.y + t.vy * dt };
      faces.forEach((f, fi) => {
        const v = iou(pred, f.box);
        if (v >= this.iouThreshold) { pairs.push([v, ti, fi]); return; }
        // Small fast faces may not overlap their prediction: accept a near, similar-sized face.
        const side = Math.max(pred.w, pred.h), fside = Math.max(f.box.w, f.box.h);
        const dist = Math.hypot(pred.x + pred.w / 2 - (f.box.x + f.box.w / 2), pred.y + pred.h / 2 - (f.box.y + f.box.h / 2));
        if (dist < side && fside / side > 0.67 && fside / side < 1.5) pairs.push([this.iouThreshold * 0.5 * (1 - dist / side), ti, fi]);
      });
    });
    pairs.sort((a, b) => b[0] - a[0]);
    const trackOf = new Array<Track | undefined>(faces.length);
    const usedTracks = new Set<number>();
    for (const [, ti, fi] of pairs) {
      if (usedTracks.has(ti) || trackOf[fi]) continue;
      usedTracks.add(ti);
      trackOf[fi] = this.tracks[ti];
    }
    // Faces no live track took: a visitor back from out of sight, or someone new.
    const back = this.pool.size ? this.pool.match(tMs, faces.map((f, fi) => (trackOf[fi] ? undefined : f.signature))) : [];
    const out: TrackedFace[] = faces.map((f, fi) => {
      let t = trackOf[fi];
      const reentered = !t && back[fi] !== undefined;
      if (reentered) {
        t = back[fi]!;
        // It comes back elsewhere: the old velocity says nothing about where it goes next.
        t.vx = 0; t.vy = 0;
        this.tracks.push(t);
      } else if (!t) {
        t = { id: this.nextId++, box: f.box, firstMs: tMs, lastMs: tMs, smoother: new AgeSmoother(this.o.smoothing), hold: new BucketHold(this.buckets, this.o.bucketHoldYears ?? DEFAULT_BUCKET_HOLD_YEARS), vx: 0, vy: 0 };
        this.tracks.push(t);
      } else {
        // Velocity in px/ms from the centre's move, blended with the previous estimate.
        const dt = tMs - t.lastMs;
        const vx = (f.box.x + f.box.w / 2 - (t.box.x + t.box.w / 2)) / dt, vy = (f.box.y + f.box.h / 2 - (t.box.y + t.box.h / 2)) / dt;
        t.vx = t.lastMs === t.firstMs ? vx : 0.5 * (t.vx + vx);
        t.vy = t.lastMs === t.firstMs ? vy : 0.5 * (t.vy + vy);
      }
      t.box = f.box;
      t.lastMs = tMs;
      if (f.signature && this.wantsSignatures) {
        if (t.signature) blendSignature(t.signature, f.signature, SIGNATURE_BLEND);
        else t.signature = Float32Array.from(f.signature);
      }
      if (f.age !== undefined) {
        t.smoother.add(f.age);
        // The hold moves only with new estimates, so reading a track (active(), its end) changes nothing.
        t.shown = t.hold.show(t.smoother.value!);
      }
      return reentered ? { ...this.view(t, f.age), reentered: true } : this.view(t, f.age);
    });
    // Tracks not seen for too long leave the live set: to wait for re-entry, or to end.
    for (let i = this.tracks.length - 1; i >= 0; i--) {
      const t = this.tracks[i];
      if (tMs - t.lastMs > this.maxMissedMs) {
        this.tracks.splice(i, 1);
        if (t.signature && this.wantsSignatures) this.pool.add(t, t.signature, t.lastMs);
        else this.end(t);
      }
    }
    for (const t of this.pool.expire(tMs)) this.end(t);
    return out;
  }

  private end(t: Track): void {
    t.signature = undefined;
    const v = this.view(t);
    this.ended.push({ track: t.id, ageSmoothed: v.ageSmoothed, bucket: v.bucket, dwellMs: v.dwellMs, firstMs: t.firstMs, lastMs: t.lastMs });
  }

  /** End every live track now (at shutdown), returning them. */
  flush(): EndedTrack[] {
    for (const t of [...this.tracks.splice(0), ...this.pool.drain()]) this.end(t);
    return this.takeEnded();
  }

  takeEnded(): EndedTrack[] {
    const e = this.ended;
    this.ended = [];
    return e;
  }

  active(): TrackedFace[] {
    return this.tracks.map((t) => this.view(t));
  }

  private view(t: Track, age?: number): TrackedFace {
    return {
      track: t.id, box: t.box, age, ageSmoothed: t.shown?.age,
      bucket: t.shown?.bucket,
      dwellMs: t.lastMs - t.firstMs,
    };
  }
}
