/**
 * `agekit check`: does the native TFLite runtime load here, and does it run on XNNPACK? Opens
 * the shipped detector and runs it once. stdout: one JSON object; stderr: one summary line.
 * Exit 1 when TFLite cannot run or runs without XNNPACK.
 *
 * @example
 * ./agekit-device check   # agekit check: tflite on xnnpack (4 threads), XNNPACK shim bundled (...)
 */
import { Command } from 'commander';
import { AgekitError } from '../../core/errors.ts';
import { defaultDetectorPath } from '../pipeline.ts';
import { threadsFlag } from './cli-args.ts';
import { describeDefaultThreads } from '../../core/runtime/default-threads.ts';

export function registerCheck(program: Command): void {
  program.command('check')
    .description('check that native TFLite loads and runs on XNNPACK here (runs the shipped detector once)')
    .option('--model <file.tflite>', 'model to run (default: the shipped blazeface.tflite)')
    .option('--threads <n>', `interpreter threads (default: ${describeDefaultThreads()})`, threadsFlag('--threads'))
    .action(async function (this: Command) {
      const f = this.opts<{ model?: string; threads?: number }>();
      // The runtime loads only when the command runs (agekit --help stays fast).
      const { checkTfliteRuntime } = await import('../report/runtime-check.ts');
      const c = await checkTfliteRuntime({ modelPath: f.model ?? defaultDetectorPath(), threads: f.threads });
      process.stdout.write(JSON.stringify(c) + '\n');
      if (!c.ok) throw new AgekitError(c.problem!, { where: 'agekit check', hint: 'run ./install.sh --check; a bundle built for this machine (agekit bundle --target) carries a working XNNPACK library' });
      process.stderr.write(`agekit check: tflite on ${c.accelerator}, XNNPACK shim ${c.xnnpack_origin}${c.xnnpack_library ? ` (${c.xnnpack_library})` : ''}, first run ${c.first_invoke_ms} ms\n`);
    });
}
