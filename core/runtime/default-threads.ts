/**
 * The TFLite thread count agekit uses when none is given: one core fewer than the machine has,
 * at least 1 and at most 4. `agekit run`, `agekit bench` and TfliteRunner all take it from here.
 *
 * Why not all cores: XNNPACK's thread pool splits every operator across its threads and waits
 * for the slowest, so one busy core (another process, or agekit's own capture and tracking on
 * the main thread) stalls every operator. On a loaded 2-core machine all cores gave 1.8-21.8 FPS
 * where one thread gave 80-88 (README, Performance). Why at most 4: BlazeFace and the student are
 * small; past 4 threads the split costs more than it gains.
 *
 * @example
 * const threads = options.threads ?? defaultThreads(); // 1 on 2 cores, 3 on a Pi 4, 4 on 8 cores
 */
import { availableParallelism } from 'node:os';

/** Most threads the default ever picks. */
export const MAX_DEFAULT_THREADS = 4;

/** cores - 1, clamped to 1..MAX_DEFAULT_THREADS. `cores` defaults to the cores this process may use. */
export function defaultThreads(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, Math.floor(cores) - 1));
}

/** How the default was chosen, for help texts and status lines: `cores-1, 1 to 4 (1 on this 2-core machine)`. */
export function describeDefaultThreads(cores: number = availableParallelism()): string {
  const n = defaultThreads(cores);
  return `cores-1, 1 to ${MAX_DEFAULT_THREADS} (${n} on this ${cores}-core machine)`;
}
