/** Range observer `minmax`: the smallest and largest value seen (with 0 included). One pass. */
import type { RangeObserver } from './range-observer.ts';

export class MinMaxObserver implements RangeObserver {
  readonly passes = 1;
  private lo = 0;
  private hi = 0;
  observe(values: ArrayLike<number>): void {
    let lo = this.lo, hi = this.hi;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v; else if (v > hi) hi = v;
    }
    this.lo = lo; this.hi = hi;
  }
  range() { return { min: this.lo, max: this.hi }; }
}
