/**
 * Open any model agekit can evaluate as an {@link AgePredictor}: a run folder or checkpoint
 * (tfjs, on the current backend) or a .tflite file carrying agekit metadata (native TFLite via
 * the device's runner), so `agekit eval` and `predict` measure the deployed file itself.
 *
 * @example
 * const p = await openAgePredictor('runs/m64');          // best/ of a run, tfjs
 * const q = await openAgePredictor('student.tflite');    // native TFLite
 */
import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '../../core/errors.ts';
import { readTfliteMetadata } from '../../core/tflite/tflite-metadata.ts';
import { isTflitePath, openRunner } from '../../core/runtime/open-runner.ts';
import type { RuntimeName } from '../../core/runtime/model-runner.ts';
import { loadCheckpoint } from '../checkpoint/checkpoint.ts';
import { runnerAgePredictor, tfjsAgePredictor, type AgePredictor } from './age-predictor.ts';

export interface OpenPredictorOptions {
  /** For .tflite files: `tflite` (native, default) or `tflite-wasm`. */
  runtime?: RuntimeName;
  /** TFLite threads. Default the runtime's. */
  threads?: number;
}

/** Open a checkpoint, run folder or .tflite file. Errors are ModelFormatErrors naming the file. */
export async function openAgePredictor(path: string, options: OpenPredictorOptions = {}): Promise<AgePredictor> {
  if (isTflitePath(path)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (err) {
      throw new ModelFormatError(`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { where: path, hint: 'check the path of the .tflite file' });
    }
    const meta = readTfliteMetadata(bytes, path);
    if (!meta) throw new ModelFormatError('has no agekit metadata (input size, preprocessing, age read-out)', { where: path, hint: 'convert the model with agekit convert, which embeds it' });
    const runtime = options.runtime ?? 'tflite';
    const runner = await openRunner({ modelPath: path, runtime, threads: options.threads });
    return runnerAgePredictor(runner, meta, `${path} (${runtime}${runner.threads ? `, ${runner.threads} threads` : ''})`);
  }
  const { model, meta, dir } = await loadCheckpoint(path);
  return tfjsAgePredictor(model, meta, { name: dir });
}
