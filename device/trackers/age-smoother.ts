/**
 * Per-track age smoothing: the median of the last N estimates (robust to one bad frame) or an
 * exponential moving average.
 *
 * @example
 * const s = new AgeSmoother({ method: 'median', window: 9 });
 * s.add(31); s.add(35); s.value; // 33
 */
import { withDefaults } from '../option-defaults.ts';

export type SmoothingMethod = 'median' | 'exponential';

export interface AgeSmootherOptions {
  /** Default `median`. */
  method?: SmoothingMethod;
  /** Estimates kept for the median. Default 30. */
  window?: number;
  /** Weight of the newest estimate in the exponential average, 0..1. Default 0.3. */
  alpha?: number;
}

// A window of 30 (2 s at 15 FPS): with 10, sensor noise alone moved a still face's median across
// bucket borders 8-16 times a minute (npm run bench:stability; README "Stability").
export const DEFAULT_AGE_SMOOTHER: Required<AgeSmootherOptions> = { method: 'median', window: 30, alpha: 0.3 };

export class AgeSmoother {
  private readonly o: Required<AgeSmootherOptions>;
  private readonly recent: number[] = [];
  private ema?: number;

  constructor(options: AgeSmootherOptions = {}) {
    this.o = withDefaults(DEFAULT_AGE_SMOOTHER, options);
  }

  add(age: number): void {
    if (!Number.isFinite(age)) return;
    this.recent.push(age);
    if (this.recent.length > this.o.window) this.recent.shift();
    this.ema = this.ema === undefined ? age : this.o.alpha * age + (1 - this.o.alpha) * this.ema;
  }

  /** Number of estimates seen (capped at the window). */
  get count(): number {
    return this.recent.length;
  }

  /** The smoothed age, undefined before the first estimate. */
  get value(): number | undefined {
    if (this.recent.length === 0) return undefined;
    if (this.o.method === 'exponential') return this.ema;
    const s = [...this.recent].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
}
