/**
 * Hysteresis at bucket borders: a track keeps its age bucket until its smoothed age lies more than
 * `holdYears` beyond that bucket's range. A face standing still near a border (a 34.6-year-old
 * whose estimate wanders 33-36) would otherwise change bucket many times a minute. While the bucket
 * is held, the shown age is clamped into it, so the label ("34y") and the bucket ("25-34") always
 * come from the one shown value.
 *
 * @example
 * const hold = new BucketHold(parseAgeBuckets('0-24,25-34,35+'), 2);
 * hold.show(33.5); // { age: 33.5, bucket: '25-34' }
 * hold.show(35.9); // { age: 34.99, bucket: '25-34' }  (within 2 years of the border: held)
 * hold.show(37.2); // { age: 37.2, bucket: '35+' }
 */
import { bucketIndex, type AgeBucket } from './age-buckets.ts';

/** Default hold: chosen with `npm run bench:stability` (README: "Stability"). */
export const DEFAULT_BUCKET_HOLD_YEARS = 2;

export interface ShownAge { age: number; bucket: string }

export class BucketHold {
  private held?: number;

  constructor(private readonly buckets: AgeBucket[], private readonly holdYears = DEFAULT_BUCKET_HOLD_YEARS) {}

  /** The age and bucket to show for this smoothed age, given what the track showed before. */
  show(smoothed: number): ShownAge {
    const now = bucketIndex(this.buckets, smoothed);
    if (this.held === undefined || this.holdYears <= 0 || now === this.held) {
      this.held = now;
      return { age: smoothed, bucket: this.buckets[now].label };
    }
    const b = this.buckets[this.held];
    // A bucket a-b holds the ages whose whole years are a..b, i.e. [a, b + 1).
    const lo = b.min - this.holdYears, hi = b.max + 1 + this.holdYears;
    if (smoothed < lo || smoothed >= hi) {
      this.held = now;
      return { age: smoothed, bucket: this.buckets[now].label };
    }
    const age = Math.min(Math.max(smoothed, b.min), b.max + 0.99);
    return { age, bucket: b.label };
  }
}
