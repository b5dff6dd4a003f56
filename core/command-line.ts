/**
 * What both executables (the host `agekit` and the device bundle's) do around commander: map
 * errors to exit codes and messages, redact credentials on stderr, and tell whether a module is
 * the one Node was started with.
 *
 * @example
 * if (isMainModule(import.meta.url)) runCommandLine(buildProgram(), process.argv).then((code) => process.exit(code));
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AgekitError, UsageError, isWriteFault, writeFaultError } from './errors.ts';
import { redactStderr } from './redact.ts';

/**
 * Parse `argv` with `program` and return the exit code: 0 success, 1 failure, 2 usage error.
 * An AgekitError prints its message (the stack only with --verbose); anything else is a bug and
 * prints its stack. --verbose also sets AGEKIT_NATIVE_LOGS=1 (see TfliteRunnerOptions.nativeLogs).
 */
export async function runCommandLine(program: Command, argv: string[]): Promise<number> {
  // Journals and terminals are read by more people than configs: no command prints a URL's password.
  redactStderr();
  // --verbose also lets the native runtimes' own log lines through (TFLite's "INFO: Created ...
  // XNNPACK delegate"); the runners read this when they open a model.
  if (argv.includes('--verbose')) process.env.AGEKIT_NATIVE_LOGS ??= '1';
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message (or the help) already.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof AgekitError) {
      process.stderr.write(`agekit: ${err.message}\n`);
      if (argv.includes('--verbose') && err.stack) process.stderr.write(err.stack + '\n');
      return err instanceof UsageError ? 2 : 1;
    }
    if (isWriteFault(err)) {
      // A writer that does not wrap its errors still must not call a full disk a bug.
      const e = writeFaultError(err, 'output', err.path ?? '(unknown file)');
      process.stderr.write(`agekit: ${e.message}\n`);
      if (argv.includes('--verbose') && err.stack) process.stderr.write(err.stack + '\n');
      return 1;
    }
    process.stderr.write(`agekit: internal error (a bug; please report it with this trace)\n${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

/** True when the module at `moduleUrl` (its import.meta.url) is the script Node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const started = process.argv[1];
  if (!started) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
