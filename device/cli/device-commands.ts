/**
 * The device command group: run, bench, bundle. The host CLI registers each of them too.
 */
import type { Command } from 'commander';
import { registerRun } from './run.ts';

export function registerDeviceCommands(program: Command): void {
  registerRun(program);
}
