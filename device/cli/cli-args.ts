/**
 * Value parsers for the device commands' flags; each names its flag in its error. (The device
 * cannot import host/cli/options.ts: device/ is the leaf.)
 *
 * @example
 * cmd.option('--threads <n>', 'TFLite threads', intFlag('--threads', { min: 1 }));
 */
import { UsageError } from '../../core/errors.ts';

/** An integer flag with optional bounds. */
export function intFlag(flag: string, bounds: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || (bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      throw new UsageError(`expected an integer${bounds.min !== undefined ? ` >= ${bounds.min}` : ''}${bounds.max !== undefined ? ` <= ${bounds.max}` : ''} (got "${value}")`, { where: flag });
    }
    return n;
  };
}

/** A number flag with optional bounds. */
export function numberFlag(flag: string, bounds: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      throw new UsageError(`expected a number${bounds.min !== undefined ? ` >= ${bounds.min}` : ''}${bounds.max !== undefined ? ` <= ${bounds.max}` : ''} (got "${value}")`, { where: flag });
    }
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

/** A comma-separated list of integers, e.g. `1,2,4`. */
export function intListFlag(flag: string, min = 1) {
  return (value: string): number[] => value.split(',').map((v) => intFlag(flag, { min })(v.trim()));
}
