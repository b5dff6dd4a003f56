/**
 * A fixed-range histogram filled in a second pass, after a first pass found the extremes; the
 * shared part of the `percentile` and `mse` observers.
 */
import { MinMaxObserver } from './minmax-observer.ts';

export class TwoPassHistogram {
  readonly extremes = new MinMaxObserver();
  counts: Float64Array;
  total = 0;
  constructor(readonly bins: number) { this.counts = new Float64Array(bins); }

  observe(values: ArrayLike<number>, pass: number): void {
    if (pass === 0) { this.extremes.observe(values); return; }
    const { min, max } = this.extremes.range();
    const width = (max - min) / this.bins;
    if (!(width > 0)) return;
    const last = this.bins - 1;
    for (let i = 0; i < values.length; i++) {
      const k = Math.floor((values[i] - min) / width);
      this.counts[k < 0 ? 0 : k > last ? last : k]++;
    }
    this.total += values.length;
  }

  /** Left edge and width of the bins. */
  geometry(): { min: number; max: number; width: number } {
    const { min, max } = this.extremes.range();
    return { min, max, width: (max - min) / this.bins };
  }

  /** The value below which fraction `q` (0..1) of the observed values lie, interpolated in its bin. */
  quantile(q: number): number {
    const { min, width } = this.geometry();
    const target = q * this.total;
    let acc = 0;
    for (let k = 0; k < this.bins; k++) {
      const c = this.counts[k];
      if (acc + c >= target && c > 0) return min + width * (k + (target - acc) / c);
      acc += c;
    }
    return this.geometry().max;
  }
}
