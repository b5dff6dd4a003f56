/**
 * Whether the native TFLite runtime works on this machine and runs on XNNPACK: the shipped
 * detector is opened and run once on a blank input. `install.sh --check` and `agekit-device check`
 * use it; a runtime that silently fell back to TFLite's builtin kernels (about 8x slower) is
 * reported as a failure with the reason.
 *
 * @example
 * const c = await checkTfliteRuntime({ modelPath: 'models/blazeface.tflite' });
 * if (!c.ok) console.error(c.problem);
 */
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import { xnnpackDelegateLibrary } from '../../core/runtime/xnnpack-delegate/build-xnnpack-delegate.ts';
import { nowMs } from '../stage-clock.ts';

export interface RuntimeCheckOptions {
  /** The model to open and run once. */
  modelPath: string;
  /** Interpreter threads. Default: TfliteRunner's (defaultThreads(): cores-1, 1 to 4). */
  threads?: number;
}

/** What the check found; plain data (printed as JSON by the CLI). */
export interface RuntimeCheck {
  ok: boolean;
  model: string;
  /** e.g. `xnnpack (4 threads)` or `builtin kernels (why)`. */
  accelerator: string;
  /** Where the XNNPACK shim came from (`bundled`, `env`, `cache`, `built`) or `none`. */
  xnnpack_origin: string;
  xnnpack_library?: string;
  /** Milliseconds of the first inference (includes XNNPACK's one-time setup). */
  first_invoke_ms: number;
  /** Why ok is false. */
  problem?: string;
}

export async function checkTfliteRuntime(o: RuntimeCheckOptions): Promise<RuntimeCheck> {
  const lib = await xnnpackDelegateLibrary();
  const runner = await TfliteRunner.create({ modelPath: o.modelPath, threads: o.threads });
  try {
    const inputs = runner.inputs.map((spec) => new Float32Array(spec.shape.slice(1).reduce((a, b) => a * b, 1)));
    const t0 = nowMs();
    await runner.run(inputs, 1);
    const first = nowMs() - t0;
    const onXnnpack = runner.accelerator.startsWith('xnnpack');
    return {
      ok: onXnnpack, model: o.modelPath, accelerator: runner.accelerator, xnnpack_origin: lib.origin, xnnpack_library: lib.path,
      first_invoke_ms: Math.round(first * 10) / 10,
      problem: onXnnpack ? undefined : `TFLite runs on its ${runner.accelerator}, not on XNNPACK: expect about 8x slower inference`,
    };
  } finally {
    await runner.close();
  }
}
