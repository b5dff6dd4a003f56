/**
 * The `agekit` executable: combines every area's commands and turns errors into messages.
 * An AgekitError prints its message (where, what, what to do) and exits 1, or 2 for usage
 * errors; anything else is a bug and prints its stack.
 */
import { Command } from 'commander';
import { isMainModule, runCommandLine } from '../core/command-line.ts';
import { registerHostCommands } from './commands.ts';
import { AGEKIT_VERSION } from '../core/version.ts';

/**
 * The `agekit` program. With `argv`, only the modules of the command it names are loaded (see
 * registerHostCommands); without, every command is registered.
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('agekit')
    .description('Age estimation from faces: datasets, training, distillation, TFLite conversion and the device runtime')
    .version(AGEKIT_VERSION)
    .option('--verbose', 'print stack traces of errors and the native runtimes\' own log lines (also AGEKIT_NATIVE_LOGS=1)', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    // Before the commands are added: subcommands copy this setting when they are created, so a
    // bad value anywhere reaches main() (exit 2) instead of commander's own process.exit(1).
    .exitOverride();
  await registerHostCommands(program, argv);
  return program;
}

/** Run the host CLI on `argv` (as process.argv: node, script, then arguments); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  return runCommandLine(await buildProgram(argv), argv);
}

if (isMainModule(import.meta.url)) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
