/**
 * Value parsers for command-line flags; each names its flag in its error. The device commands
 * use them, and the host CLI (cli/options.ts, a layer above) takes its number parsers from here.
 *
 * @example
 * cmd.option('--threads <n>', 'TFLite threads', intFlag('--threads', { min: 1 }));
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../core/errors.ts';
import { defaultThreads } from '../../core/runtime/default-threads.ts';

interface Bounds { min?: number; max?: number }

const outside = (n: number, b: Bounds) => (b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max);

/** ` >= 1 and <= 8`, ` >= 0`, or nothing. */
function rangeText(b: Bounds): string {
  const parts = [b.min !== undefined ? `>= ${b.min}` : '', b.max !== undefined ? `<= ${b.max}` : ''].filter(Boolean);
  return parts.length ? ' ' + parts.join(' and ') : '';
}

/** An integer flag with optional bounds. */
export function intFlag(flag: string, bounds: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || outside(n, bounds)) throw new UsageError(`expected an integer${rangeText(bounds)} (got "${value}")`, { where: flag });
    return n;
  };
}

/**
 * A thread-count flag: an integer from 1 to the cores this process may use. More threads than
 * cores only add contention, and thousands exhaust the machine.
 */
export function threadsFlag(flag = '--threads', cores = availableParallelism()) {
  return (value: string): number => {
    const n = intFlag(flag, { min: 1 })(value);
    if (n > cores) throw new UsageError(`${n} threads is more than the ${cores} cores this machine gives agekit`, { where: flag, hint: `use at most ${cores}, or leave ${flag} out for the default (${defaultThreads(cores)}: cores-1, 1 to 4)` });
    return n;
  };
}

/** A comma-separated list of thread counts, each as threadsFlag checks it (e.g. `1,2,4`). */
export function threadsListFlag(flag = '--threads', cores = availableParallelism()) {
  const one = threadsFlag(flag, cores);
  return (value: string): number[] => value.split(',').map((v) => one(v.trim()));
}

/** A number flag with optional bounds. */
export function numberFlag(flag: string, bounds: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || outside(n, bounds)) throw new UsageError(`expected a number${rangeText(bounds)} (got "${value}")`, { where: flag });
    return n;
  };
}

/** `640x480` -> { width: 640, height: 480 }. */
export function sizeFlag(flag: string) {
  return (value: string): { width: number; height: number } => {
    const m = /^(\d+)x(\d+)$/i.exec(value.trim());
    if (!m || Number(m[1]) < 16 || Number(m[2]) < 16) throw new UsageError(`expected WIDTHxHEIGHT, e.g. 640x480 (got "${value}")`, { where: flag });
    return { width: Number(m[1]), height: Number(m[2]) };
  };
}
