/**
 * Shared commander options and value parsers: every parser names its flag in its error.
 *
 * @example
 * cmd.addOption(backendOption()).option('--batch <n>', 'batch size', intArg('--batch', { min: 1 }), 32);
 */
import { Option } from 'commander';
import { BACKEND_CHOICES } from '../core/backend/tfjs-backend.ts';
import { UsageError } from '../core/errors.ts';

/** `--backend auto|gpu|node|wasm|cpu`, default auto. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend: auto tries gpu, node, wasm, cpu in that order').choices([...BACKEND_CHOICES]).default('auto');
}

/** A parser for an integer flag with optional bounds. */
export function intArg(flag: string, bounds: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || (bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      const range = [bounds.min !== undefined ? `>= ${bounds.min}` : '', bounds.max !== undefined ? `<= ${bounds.max}` : ''].filter(Boolean).join(' and ');
      throw new UsageError(`expected an integer${range ? ' ' + range : ''} (got "${value}")`, { where: flag });
    }
    return n;
  };
}

/** A parser for a number flag with optional bounds. */
export function floatArg(flag: string, bounds: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      throw new UsageError(`expected a number${bounds.min !== undefined ? ` >= ${bounds.min}` : ''}${bounds.max !== undefined ? ` <= ${bounds.max}` : ''} (got "${value}")`, { where: flag });
    }
    return n;
  };
}
