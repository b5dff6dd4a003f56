/**
 * The range-observer contract of full-integer quantization: an observer sees every value a
 * tensor takes on the representative set and proposes the real range [min, max] that int8 will
 * cover. Observers that need a histogram take two passes over the set (the first finds the
 * extremes, the second fills a fixed-range histogram), so no sample is held in memory.
 *
 * @example
 * const obs = createRangeObserver('percentile');
 * for (let pass = 0; pass < obs.passes; pass++) for (const x of activations) obs.observe(x, pass);
 * const { min, max } = obs.range();
 */
import { MinMaxObserver } from './minmax-observer.ts';
import { PercentileObserver } from './percentile-observer.ts';
import { MseObserver } from './mse-observer.ts';

export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'mse'];

export interface RangeObserver {
  /** Passes over the data the observer needs (1 or 2). */
  readonly passes: number;
  /** See the values of one sample in pass `pass` (0-based). */
  observe(values: ArrayLike<number>, pass: number): void;
  /** The proposed range; always contains 0 (int8 must represent zero exactly). */
  range(): { min: number; max: number };
}

export interface RangeObserverOptions {
  /** Percentile kept at each end by `percentile`. Default 99.99. */
  percentile?: number;
  /** Histogram bins of `percentile` and `mse`. Default 2048. */
  bins?: number;
}

export const DEFAULT_RANGE_OBSERVER: Required<RangeObserverOptions> = { percentile: 99.99, bins: 2048 };

/** An observer for a method name. */
export function createRangeObserver(method: CalibrationMethod, options: RangeObserverOptions = {}): RangeObserver {
  // `??` per field: an explicit `percentile: undefined` (an unset CLI flag) means the default.
  const o = { percentile: options.percentile ?? DEFAULT_RANGE_OBSERVER.percentile, bins: options.bins ?? DEFAULT_RANGE_OBSERVER.bins };
  switch (method) {
    case 'minmax': return new MinMaxObserver();
    case 'percentile': return new PercentileObserver(o.percentile, o.bins);
    case 'mse': return new MseObserver(o.bins);
  }
}
