/**
 * The one clock of the pipeline: stages never time themselves; runPipeline wraps each call.
 *
 * @example
 * const clock = new StageClock();
 * const faces = await clock.time('detect', () => detector.detect(frame));
 * clock.ms.detect; // ms spent
 */
import type { Stage } from './stages.ts';

/**
 * Monotonic time now in ms (fractional). performance.now() rather than process.hrtime: the same
 * code times the stages in Node and in the browser kiosk's page.
 */
export function nowMs(): number {
  return performance.now();
}

/** Where a stage reports the time of its inner parts (e.g. the detector's `infer`), in ms. */
export interface StagePartTimer {
  add(part: string, ms: number): void;
}

/** Accumulates ms per stage for one frame. */
export class StageClock {
  readonly ms: Record<Stage, number> = { capture: 0, detect: 0, crop: 0, estimate: 0, track: 0, output: 0 };
  /** Inner parts of stages, as `<stage>.<part>` (e.g. `detect.infer`), when a stage reports them. */
  readonly extraMs: Record<string, number> = {};

  /** A timer a stage may use for its inner parts; they land in {@link extraMs} under `<stage>.<part>`. */
  parts(stage: Stage): StagePartTimer {
    return { add: (part, ms) => { const k = `${stage}.${part}`; this.extraMs[k] = (this.extraMs[k] ?? 0) + ms; } };
  }

  /** Run `fn`, add its wall time to `stage`, return its result. */
  async time<T>(stage: Stage, fn: () => T | Promise<T>): Promise<T> {
    const t0 = nowMs();
    try {
      return await fn();
    } finally {
      this.ms[stage] += nowMs() - t0;
    }
  }

  /** Synchronous variant of {@link time}. */
  timeSync<T>(stage: Stage, fn: () => T): T {
    const t0 = nowMs();
    try {
      return fn();
    } finally {
      this.ms[stage] += nowMs() - t0;
    }
  }

  /** Add a measured duration to a stage (e.g. capture, timed around the source's iterator). */
  add(stage: Stage, ms: number): void {
    this.ms[stage] += ms;
  }

  reset(): void {
    for (const k of Object.keys(this.ms) as Stage[]) this.ms[k] = 0;
    for (const k of Object.keys(this.extraMs)) delete this.extraMs[k];
  }
}
