/**
 * The device command group: run, bench, cameras, check, bundle. The host CLI registers each of them too.
 */
import type { Command } from 'commander';
import { registerRun } from './run.ts';
import { registerBench } from './bench.ts';
import { registerBundle } from './bundle.ts';
import { registerCameras } from './cameras.ts';
import { registerCheck } from './check.ts';

export function registerDeviceCommands(program: Command): void {
  registerRun(program);
  registerBench(program);
  registerCameras(program);
  registerCheck(program);
  registerBundle(program);
}
