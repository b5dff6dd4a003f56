/**
 * Shared commander options and value parsers: every parser names its flag in its error.
 *
 * @example
 * cmd.addOption(backendOption()).option('--batch <n>', 'batch size', intArg('--batch', { min: 1 }), 32);
 */
import { Option } from 'commander';
import { BACKEND_CHOICES } from '../core/backend/tfjs-backend.ts';

/** `--backend auto|gpu|node|wasm|cpu`, default auto. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend: auto tries gpu, node, wasm, cpu in that order').choices([...BACKEND_CHOICES]).default('auto');
}

/** Number parsers shared with the device commands: each names its flag in its error. */
export { intFlag as intArg, numberFlag as floatArg } from '../device/cli/cli-args.ts';
