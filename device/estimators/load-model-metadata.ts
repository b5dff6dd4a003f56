/**
 * Find a model's agekit metadata: inside a .tflite file (the `agekit` metadata buffer), or in
 * the `agekit.json` beside a tfjs checkpoint's model.json.
 *
 * @example
 * const meta = await loadModelMetadata('samples/models/student.tflite');
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelFormatError } from '../../core/errors.ts';
import { parseModelMetadata, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { readTfliteMetadata, validateTflite } from '../../core/tflite/tflite-metadata.ts';
import { isTflitePath } from '../../core/runtime/open-runner.ts';

export async function loadModelMetadata(modelPath: string): Promise<ModelMetadata> {
  if (isTflitePath(modelPath)) {
    const bytes = new Uint8Array(await readFile(modelPath).catch((err) => {
      throw new ModelFormatError(`cannot read model (${(err as NodeJS.ErrnoException).code ?? err})`, { where: modelPath, hint: 'check the path' });
    }));
    validateTflite(bytes, modelPath);
    const meta = readTfliteMetadata(bytes, modelPath);
    if (!meta) throw new ModelFormatError('the .tflite file carries no agekit metadata', { where: modelPath, hint: 'convert the checkpoint with agekit convert, which embeds input size, preprocessing, crop and read-out' });
    return meta;
  }
  const s = await stat(modelPath).catch(() => undefined);
  if (!s) throw new ModelFormatError('model not found', { where: modelPath, hint: 'give a .tflite file or a checkpoint folder' });
  const file = join(s.isDirectory() ? modelPath : dirname(modelPath), 'agekit.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new ModelFormatError('checkpoint has no agekit.json (model metadata)', { where: file, hint: 'give a checkpoint written by agekit train' });
  });
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) {
    throw new ModelFormatError(`agekit.json is not JSON (${(err as Error).message})`, { where: file, hint: 'the file is truncated: copy the checkpoint again' });
  }
  return parseModelMetadata(json, file);
}
