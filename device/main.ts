/**
 * The device-only `agekit` executable (the entry point of the esbuild bundle): run, bench and
 * bundle, nothing of training or conversion. Errors print like the host CLI's.
 *
 * @example
 * node agekit-device.js run --source v4l2:/dev/video0 --http 127.0.0.1:8080
 */
import { Command, CommanderError } from 'commander';
import { AgekitError, UsageError } from './errors.ts';
import { registerDeviceCommands } from './cli/device-commands.ts';

export function buildDeviceProgram(): Command {
  const program = new Command('agekit')
    .description('agekit device runtime: face detection, age estimation and tracking on a camera, with speed reporting')
    .version('0.1.0')
    .option('--verbose', 'print stack traces of errors', false);
  registerDeviceCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildDeviceProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    if (err instanceof AgekitError) {
      process.stderr.write(`agekit: ${err.message}\n`);
      if (argv.includes('--verbose') && err.stack) process.stderr.write(err.stack + '\n');
      return err instanceof UsageError ? 2 : 1;
    }
    process.stderr.write(`agekit: internal error (a bug; please report it with this trace)\n${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

// Run when executed directly (tsx) or as the bundle, not when imported.
const entry = process.argv[1] ?? '';
if (/(?:device[\\/]main\.ts|agekit-device\.m?js)$/.test(entry)) {
  // Exit explicitly: tfjs WASM and native runtimes may keep handles open after a run.
  main(process.argv).then((code) => process.exit(code));
}
