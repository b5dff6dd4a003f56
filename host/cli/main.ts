/**
 * The `agekit` executable: combines every area's commands and turns errors into messages.
 * An AgekitError prints its message (where, what, what to do) and exits 1, or 2 for usage
 * errors; anything else is a bug and prints its stack.
 */
import { Command, CommanderError } from 'commander';
import { AgekitError, UsageError } from '../../device/errors.ts';
import { registerHostCommands } from './commands.ts';

export function buildProgram(): Command {
  const program = new Command('agekit')
    .description('Age estimation from faces: datasets, training, distillation, TFLite conversion and the device runtime')
    .version('0.1.0')
    .option('--verbose', 'print stack traces of errors', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    // Before the commands are added: subcommands copy this setting when they are created, so a
    // bad value anywhere reaches main() (exit 2) instead of commander's own process.exit(1).
    .exitOverride();
  registerHostCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message (or the help) already.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    const verbose = argv.includes('--verbose');
    if (err instanceof AgekitError) {
      process.stderr.write(`agekit: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(err.stack + '\n');
      return err instanceof UsageError ? 2 : 1;
    }
    process.stderr.write(`agekit: internal error (a bug; please report it with this trace)\n${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:host[\\/]cli[\\/]main\.ts|bin[\\/]agekit(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
