/**
 * The one clock of the pipeline: stages never time themselves; runPipeline wraps each call.
 *
 * @example
 * const clock = new StageClock();
 * const faces = await clock.time('detect', () => detector.detect(frame));
 * clock.ms.detect; // ms spent
 */
import type { Stage } from './stages.ts';

/** Monotonic time now in ms (fractional), from process.hrtime. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Accumulates ms per stage for one frame. */
export class StageClock {
  readonly ms: Record<Stage, number> = { capture: 0, detect: 0, crop: 0, estimate: 0, track: 0, output: 0 };

  /** Run `fn`, add its wall time to `stage`, return its result. */
  async time<T>(stage: Stage, fn: () => T | Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.ms[stage] += Number(process.hrtime.bigint() - t0) / 1e6;
    }
  }

  /** Synchronous variant of {@link time}. */
  timeSync<T>(stage: Stage, fn: () => T): T {
    const t0 = process.hrtime.bigint();
    try {
      return fn();
    } finally {
      this.ms[stage] += Number(process.hrtime.bigint() - t0) / 1e6;
    }
  }

  /** Add a measured duration to a stage (e.g. capture, timed around the source's iterator). */
  add(stage: Stage, ms: number): void {
    this.ms[stage] += ms;
  }

  reset(): void {
    for (const k of Object.keys(this.ms) as Stage[]) this.ms[k] = 0;
  }
}
