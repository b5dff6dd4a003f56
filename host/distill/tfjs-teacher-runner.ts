/**
 * Runners for tfjs teachers: a graph model (output chosen by name or index) or a layers model
 * (output chosen by index), loaded from local files.
 *
 * @example
 * const runner = await createTfjsRunner(descriptor); const out = await runner.run(x, n);
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../core/errors.ts';
import { loadGraphModelFiles, loadLayersModelFiles } from '../../core/tfjs-model-files.ts';
import type { TeacherDescriptor } from './teacher-descriptor.ts';
import type { TeacherRunner } from './teacher.ts';

function countWeights(tensors: tf.Tensor[]): number {
  return tensors.reduce((n, t) => n + t.size, 0);
}

/** Load the descriptor's graph or layers model and return a runner for its chosen output. */
export async function createTfjsRunner(desc: TeacherDescriptor): Promise<TeacherRunner> {
  const [h, w] = desc.inputSize;
  if (desc.kind === 'graph') {
    const { model } = await loadGraphModelFiles(desc.model);
    const names = model.outputNodes;
    let outName: string;
    if (typeof desc.output === 'number') {
      if (desc.output >= names.length) throw new ModelFormatError(`output index ${desc.output} is out of range (the model has ${names.length}: ${names.join(', ')})`, { where: desc.model });
      outName = names[desc.output];
    } else {
      const wanted = desc.output.replace(/:0$/, '');
      const found = names.find((n) => n.replace(/:0$/, '') === wanted);
      if (!found) throw new ModelFormatError(`no output named "${desc.output}" (outputs: ${names.join(', ')})`, { where: desc.model, hint: 'fix "output" in the teacher JSON' });
      outName = found;
    }
    const weights = Object.values(model.weights).flat();
    return {
      parameters: countWeights(weights),
      async run(x, n) {
        const input = tf.tensor4d(x, [n, h, w, 3]);
        const out = model.execute(input, outName) as tf.Tensor;
        try {
          return (await out.data()) as Float32Array;
        } finally {
          tf.dispose([input, out]);
        }
      },
      async close() { model.dispose(); },
    };
  }
  if (desc.kind === 'layers') {
    const model = await loadLayersModelFiles(desc.model);
    const index = desc.output as number;
    if (index >= model.outputs.length) throw new ModelFormatError(`output index ${index} is out of range (the model has ${model.outputs.length})`, { where: desc.model });
    return {
      parameters: model.countParams(),
      async run(x, n) {
        const out = tf.tidy(() => {
          const y = model.predict(tf.tensor4d(x, [n, h, w, 3]));
          return Array.isArray(y) ? y[index] : y;
        });
        try {
          return (await out.data()) as Float32Array;
        } finally {
          out.dispose();
        }
      },
      async close() { model.dispose(); },
    };
  }
  throw new ModelFormatError(`kind "${desc.kind}" is not a tfjs model`, { where: desc.model });
}
