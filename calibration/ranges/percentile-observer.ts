/**
 * Range observer `percentile`: keep the central `percentile` % of each end, [q(1-p), q(p)], so
 * a few outliers do not stretch the int8 step for everything else. Two passes.
 */
import { TwoPassHistogram } from './histogram.ts';
import type { RangeObserver } from './range-observer.ts';

export class PercentileObserver implements RangeObserver {
  readonly passes = 2;
  private readonly hist: TwoPassHistogram;
  constructor(readonly percentile: number, bins: number) {
    if (!(percentile > 50 && percentile <= 100)) throw new RangeError(`percentile must be in (50, 100], got ${percentile}`);
    this.hist = new TwoPassHistogram(bins);
  }
  observe(values: ArrayLike<number>, pass: number): void { this.hist.observe(values, pass); }
  range() {
    if (this.hist.total === 0) return this.hist.extremes.range();
    const p = this.percentile / 100;
    return { min: Math.min(0, this.hist.quantile(1 - p)), max: Math.max(0, this.hist.quantile(p)) };
  }
}
