/**
 * The device-only `agekit` executable (the entry point of the esbuild bundle): run, bench,
 * cameras, check and bundle, nothing of training or conversion. Errors print like the host CLI's.
 *
 * @example
 * node agekit-device.js run --source v4l2:/dev/video0 --http 127.0.0.1:8080
 */
import { Command } from 'commander';
import { isMainModule, runCommandLine } from '../core/command-line.ts';
import { registerDeviceCommands } from './cli/device-commands.ts';
import { AGEKIT_VERSION } from '../core/version.ts';

export function buildDeviceProgram(): Command {
  const program = new Command('agekit')
    .description('agekit device runtime: face detection, age estimation and tracking on a camera, with speed reporting')
    .version(AGEKIT_VERSION)
    .option('--verbose', 'print stack traces of errors and the native runtimes\' own log lines (also AGEKIT_NATIVE_LOGS=1)', false);
  registerDeviceCommands(program);
  return program;
}

/** Run the device CLI on `argv` (as process.argv); resolves to the exit code. */
export function main(argv: string[]): Promise<number> {
  return runCommandLine(buildDeviceProgram(), argv);
}

// Run when executed directly (tsx, node on the compiled file, or the bundle), not when imported.
if (isMainModule(import.meta.url)) {
  // Exit explicitly: tfjs WASM and native runtimes may keep handles open after a run.
  main(process.argv).then((code) => process.exit(code));
}
