import test from 'ava';
import { availableParallelism } from 'node:os';
import { defaultThreads, describeDefaultThreads, MAX_DEFAULT_THREADS } from '../../../core/runtime/default-threads.ts';
import { DEFAULT_TFLITE_RUNNER, TfliteRunner } from '../../../core/runtime/tflite-runner.ts';
import { threadsFlag, threadsListFlag } from '../../../device/cli/cli-args.ts';
import { blazefaceTflite } from '../../device/support/device-models.ts';

test('the default leaves one core free: cores-1, at least 1, at most 4', (t) => {
  for (const [cores, want] of [[1, 1], [2, 1], [3, 2], [4, 3], [5, 4], [8, 4], [64, 4]] as const) {
    t.is(defaultThreads(cores), want, `${cores} cores`);
  }
  t.is(MAX_DEFAULT_THREADS, 4);
  t.regex(describeDefaultThreads(4), /^cores-1, 1 to 4 \(3 on this 4-core machine\)$/);
});

test('TfliteRunner without threads uses the default rule on this machine', async (t) => {
  t.is(DEFAULT_TFLITE_RUNNER.threads, defaultThreads(availableParallelism()));
  const runner = await TfliteRunner.create({ modelPath: await blazefaceTflite() });
  t.is(runner.threads, defaultThreads());
  if (runner.accelerator.startsWith('xnnpack')) t.regex(runner.accelerator, new RegExp(`^xnnpack \\(${defaultThreads()} thread`));
  await runner.close();
});

test('--threads above the cores is still a usage error naming the flag, the cores and the default', (t) => {
  t.is(threadsFlag('--threads', 2)('2'), 2);
  t.throws(() => threadsFlag('--threads', 2)('3'), { message: /^--threads: 3 threads is more than the 2 cores/ });
  const err = t.throws(() => threadsFlag('--threads', 4)('16'));
  t.regex((err as Error & { hint?: string }).hint ?? '', /use at most 4, or leave --threads out for the default \(3: cores-1, 1 to 4\)/);
  t.deepEqual(threadsListFlag('--threads', 2)('1, 2'), [1, 2]);
  t.throws(() => threadsListFlag('--threads', 2)('1,3'), { message: /^--threads: 3 threads is more than the 2 cores/ });
  t.throws(() => threadsListFlag('--threads', 2)('0'), { message: /^--threads: expected an integer >= 1/ });
});
