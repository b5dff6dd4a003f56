/**
 * The device command group: run, bench, bundle. The host CLI registers each of them too.
 */
import type { Command } from 'commander';
import { registerRun } from './run.ts';
import { registerBench } from './bench.ts';
import { registerBundle } from './bundle.ts';

export function registerDeviceCommands(program: Command): void {
  registerRun(program);
  registerBench(program);
  registerBundle(program);
}
