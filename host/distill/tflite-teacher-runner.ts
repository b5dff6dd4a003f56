/**
 * Runner for a .tflite teacher on the native TFLite runtime, through the device's TfliteRunner:
 * the same checked loading, XNNPACK delegate (falling back to the builtin kernels, saying so) and
 * int8 (de)quantization as `agekit run`. TFLite models are usually built for batch 1, so a batch
 * runs item by item.
 *
 * @example
 * const runner = await createTfliteRunner(descriptor);
 * const ages = await runner.run(x, n); // x: [n, h, w, 3] normalized, returns the chosen output [n, k]
 */
import { ModelFormatError } from '../../core/errors.ts';
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import type { TeacherDescriptor } from './teacher-descriptor.ts';
import type { TeacherRunner } from './teacher.ts';

/** A teacher runner that also says what runs the model's ops (e.g. `xnnpack (1 thread)`), for status lines. */
export interface TfliteTeacherRunner extends TeacherRunner {
  readonly accelerator: string;
}

/** Load the descriptor's .tflite model on the native runtime with `threads` threads (default 1). */
export async function createTfliteRunner(desc: TeacherDescriptor, threads = 1): Promise<TfliteTeacherRunner> {
  const runner = await TfliteRunner.create({ modelPath: desc.model, threads });
  const [h, w] = desc.inputSize;
  const shape = runner.inputs[0]?.shape ?? [];
  try {
    if (runner.inputs.length !== 1 || shape.length !== 4 || shape[0] !== 1 || shape[1] !== h || shape[2] !== w || shape[3] !== 3) {
      throw new ModelFormatError(`model input shape is [${shape.join(', ')}]${runner.inputs.length > 1 ? ` (of ${runner.inputs.length} inputs)` : ''}, the descriptor says [1, ${h}, ${w}, 3]`, {
        where: desc.model, hint: 'fix inputSize in the teacher JSON',
      });
    }
    if (typeof desc.output !== 'number' || desc.output >= runner.outputs.length) {
      throw new ModelFormatError(`output index ${desc.output} is out of range (the model has ${runner.outputs.length})`, { where: desc.model });
    }
  } catch (err) {
    await runner.close();
    throw err;
  }
  const index = desc.output;
  return {
    accelerator: runner.accelerator,
    async run(x, n) {
      return (await runner.run([x], n))[index];
    },
    close: () => runner.close(),
  };
}
