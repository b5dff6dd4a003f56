/**
 * Read and rewrite the agekit metadata of a model file, whatever its form: a checkpoint (or run)
 * folder's agekit.json, or the "agekit" metadata entry of a .tflite file. Used by
 * `agekit calibrate` to take input size, preprocessing and crop from a model, and to store an
 * age calibration in it.
 *
 * @example
 * const m = await readModelMetadata('runs/m64');
 * await writeModelMetadata(m, { ...m.meta, ageCalibration }, 'runs/m64-calibrated');
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { parseModelMetadata, type ModelMetadata } from '../core/contract/model-metadata.ts';
import { readTfliteMetadata } from '../core/tflite/tflite-metadata.ts';
import { isTflitePath } from '../core/runtime/open-runner.ts';
import { METADATA_FILE, readCheckpointMetadata, resolveCheckpointDir } from '../host/checkpoint/checkpoint.ts';
import { replaceTfliteMetadata } from './tflite-metadata-patch.ts';

/** A model's metadata and where it lives. */
export type ModelMetadataFile =
  | { kind: 'checkpoint'; path: string; dir: string; meta: ModelMetadata }
  | { kind: 'tflite'; path: string; bytes: Uint8Array; meta: ModelMetadata };

/** Read the metadata of a checkpoint/run folder or a .tflite file (ModelFormatError naming the file). */
export async function readModelMetadata(path: string): Promise<ModelMetadataFile> {
  if (isTflitePath(path)) {
    const bytes = new Uint8Array(await readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new ModelFormatError(`cannot be read (${err.code ?? err.message})`, { where: path, hint: 'check the path of the .tflite file' });
    }));
    const meta = readTfliteMetadata(bytes, path);
    if (!meta) throw new ModelFormatError('has no agekit metadata (input size, preprocessing, age read-out)', { where: path, hint: 'convert the model with agekit convert, which embeds it' });
    return { kind: 'tflite', path, bytes, meta };
  }
  const dir = await resolveCheckpointDir(path);
  return { kind: 'checkpoint', path, dir, meta: await readCheckpointMetadata(dir) };
}

/**
 * Store `meta` in the model: in place, or in a copy at `out` (a folder for a checkpoint, a
 * .tflite path for a .tflite). Every file is written atomically. Returns the path written.
 */
export async function writeModelMetadata(file: ModelMetadataFile, meta: ModelMetadata, out?: string): Promise<string> {
  if (file.kind === 'tflite') {
    const target = out ?? file.path;
    await writeFileAtomic(target, replaceTfliteMetadata(file.bytes, meta, file.path));
    return target;
  }
  const json = JSON.stringify(parseModelMetadata(JSON.parse(JSON.stringify(meta)), join(file.dir, METADATA_FILE)), null, 2) + '\n';
  const target = out ?? file.dir;
  if (out) {
    await mkdir(out, { recursive: true });
    for (const e of await readdir(file.dir, { withFileTypes: true })) {
      if (e.isFile() && e.name !== METADATA_FILE) await writeFileAtomic(join(out, e.name), await readFile(join(file.dir, e.name)));
    }
  }
  await writeFileAtomic(join(target, METADATA_FILE), json);
  return target;
}
