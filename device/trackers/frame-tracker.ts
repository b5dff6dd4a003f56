/**
 * No tracking: every face of every frame is its own track, ended at once. For `images:` sources,
 * whose photos are unrelated: linking faces across photos by position would mix different people
 * into one smoothed age. The shown age is the face's own estimate, bucketed like every tracker's.
 *
 * @example
 * const tracker = new FrameTracker({ buckets: '0-17,18-64,65+' });
 * const faces = tracker.update(frame.tMs, aged); // ids 1, 2, ... never reused
 */
import { AgekitError } from '../../core/errors.ts';
import type { AgedFace, EndedTrack, TrackedFace, Tracker } from '../stages.ts';
import { bucketOf, parseAgeBuckets, type AgeBucket } from './age-buckets.ts';

export interface FrameTrackerOptions {
  /** Age buckets, parsed or as a spec string. Default 0-15,16-24,25-34,35-44,45-54,55-64,65+. */
  buckets?: AgeBucket[] | string;
}

export class FrameTracker implements Tracker {
  private ended: EndedTrack[] = [];
  private nextId = 1;
  private lastT = -Infinity;
  private readonly buckets: AgeBucket[];

  constructor(o: FrameTrackerOptions = {}) {
    this.buckets = typeof o.buckets === 'string' || o.buckets === undefined ? parseAgeBuckets(o.buckets) : o.buckets;
  }

  /** Total faces (tracks) so far. */
  get started(): number {
    return this.nextId - 1;
  }

  update(tMs: number, faces: AgedFace[]): TrackedFace[] {
    if (!(tMs > this.lastT)) {
      throw new AgekitError(`tracker time must increase strictly (got ${tMs} ms after ${this.lastT} ms)`, { where: 'FrameTracker.update', hint: 'give each frame a later timestamp' }, 'TRACKER_TIME');
    }
    this.lastT = tMs;
    return faces.map((f) => {
      const bucket = f.age === undefined ? undefined : bucketOf(this.buckets, f.age);
      const track = this.nextId++;
      this.ended.push({ track, ageSmoothed: f.age, bucket, dwellMs: 0, firstMs: tMs, lastMs: tMs });
      return { track, box: f.box, age: f.age, ageSmoothed: f.age, bucket, dwellMs: 0 };
    });
  }

  takeEnded(): EndedTrack[] {
    const e = this.ended;
    this.ended = [];
    return e;
  }

  /** Faces end with their frame: none is alive between frames. */
  active(): TrackedFace[] {
    return [];
  }

  /** Same as takeEnded (nothing is alive to end). */
  flush(): EndedTrack[] {
    return this.takeEnded();
  }
}
