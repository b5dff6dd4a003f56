/**
 * Runner for a .tflite teacher on the native TFLite runtime (tfjs-tflite-node). TFLite models
 * are usually built for batch 1, so a batch runs item by item.
 *
 * @example
 * const runner = await createTfliteRunner(descriptor);
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../device/errors.ts';
import type { TeacherDescriptor } from './teacher-descriptor.ts';
import type { TeacherRunner } from './teacher.ts';

/** Load the descriptor's .tflite model on the native runtime with `threads` threads (default 1). */
export async function createTfliteRunner(desc: TeacherDescriptor, threads = 1): Promise<TeacherRunner> {
  let bytes: Buffer;
  try {
    bytes = await readFile(desc.model);
  } catch (err) {
    throw new ModelFormatError(`.tflite file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { where: desc.model, cause: err });
  }
  const { loadTFLiteModel } = await import('tfjs-tflite-node');
  let model: Awaited<ReturnType<typeof loadTFLiteModel>>;
  try {
    model = await loadTFLiteModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { numThreads: threads });
  } catch (err) {
    throw new ModelFormatError(`the TFLite runtime cannot load this model (${(err as Error).message})`, { where: desc.model, hint: 'is it a valid .tflite file?', cause: err });
  }
  const [h, w] = desc.inputSize;
  const shape = model.inputs[0]?.shape ?? [];
  if (shape.length !== 4 || shape[1] !== h || shape[2] !== w || shape[3] !== 3) {
    throw new ModelFormatError(`model input shape is [${shape.join(', ')}], the descriptor says [1, ${h}, ${w}, 3]`, { where: desc.model, hint: 'fix inputSize in the teacher JSON' });
  }
  const index = desc.output as number;
  if (index >= model.outputs.length) throw new ModelFormatError(`output index ${index} is out of range (the model has ${model.outputs.length})`, { where: desc.model });
  const size = h * w * 3;
  return {
    async run(x, n) {
      const rows: Float32Array[] = [];
      for (let i = 0; i < n; i++) {
        const input = tf.tensor4d(x.subarray(i * size, (i + 1) * size), [1, h, w, 3]);
        const y = model.predict(input);
        const outs = y instanceof tf.Tensor ? [y] : Array.isArray(y) ? y : Object.values(y);
        rows.push(Float32Array.from(await outs[index].data()));
        tf.dispose([input, ...outs]);
      }
      const k = rows[0]?.length ?? 0;
      const out = new Float32Array(n * k);
      rows.forEach((r, i) => out.set(r, i * k));
      return out;
    },
    async close() { /* tfjs-tflite-node frees the interpreter when the model is collected */ },
  };
}
