/**
 * Range observer `mse`: search the clipping range [a*min, b*max] (a, b on a grid from 1 down to
 * 0.2) that minimizes the expected squared int8 error on the observed histogram: clipping error
 * outside the range plus the rounding error step^2/12 inside it. Two passes.
 */
import { TwoPassHistogram } from './histogram.ts';
import type { RangeObserver } from './range-observer.ts';

const LEVELS = 255; // int8 steps across the range
const GRID = 41;    // candidate shrink factors per end, 1.0 ... 0.2

export class MseObserver implements RangeObserver {
  readonly passes = 2;
  private readonly hist: TwoPassHistogram;
  constructor(bins: number) { this.hist = new TwoPassHistogram(bins); }
  observe(values: ArrayLike<number>, pass: number): void { this.hist.observe(values, pass); }

  /** Expected squared error per value for the range [lo, hi]. */
  error(lo: number, hi: number): number {
    const { min, width } = this.hist.geometry();
    const step = (hi - lo) / LEVELS;
    const rounding = (step * step) / 12;
    let err = 0;
    for (let k = 0; k < this.hist.bins; k++) {
      const c = this.hist.counts[k];
      if (c === 0) continue;
      const x = min + width * (k + 0.5);
      if (x < lo) err += c * (lo - x) ** 2;
      else if (x > hi) err += c * (x - hi) ** 2;
      else err += c * rounding;
    }
    return err / Math.max(1, this.hist.total);
  }

  range() {
    const full = this.hist.extremes.range();
    if (this.hist.total === 0 || full.max - full.min <= 0) return full;
    let best = { min: full.min, max: full.max }, bestErr = this.error(full.min, full.max);
    for (let i = 0; i < GRID; i++) {
      const a = 1 - (0.8 * i) / (GRID - 1);
      for (let j = 0; j < GRID; j++) {
        const b = 1 - (0.8 * j) / (GRID - 1);
        const lo = full.min * a, hi = full.max * b;
        const e = this.error(lo, hi);
        if (e < bestErr) { bestErr = e; best = { min: lo, max: hi }; }
      }
    }
    return best;
  }
}
