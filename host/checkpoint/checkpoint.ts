/**
 * Checkpoints: a folder holding a tfjs LayersModel (`model.json` + `weights.bin`, the standard
 * tfjs layers format) and `agekit.json` (the {@link ModelMetadata} contract: network, input size,
 * preprocessing, head, crop, plus training provenance and metrics). Training may add more files
 * (optimizer state). The folder is written atomically: all files go into a temp folder that is
 * then renamed into place, so a kill never leaves a broken checkpoint.
 *
 * @example
 * await saveCheckpoint('runs/a/best', model, meta);
 * const { model, meta } = await loadCheckpoint('runs/a'); // a run folder means its best/
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { ModelFormatError, writeFaultError, writeFaultOf } from '../../core/errors.ts';
import { parseModelMetadata, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { commitDir, makeTempDir, readableDir } from '../../core/atomic-dir.ts';
import { loadLayersModelFiles } from '../../core/tfjs-model-files.ts';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'agekit.json';
/** Sub-folders of a run folder that hold checkpoints. */
export const BEST_DIR = 'best';
export const LAST_DIR = 'last';

/** Extra files stored in the checkpoint folder beside the model (file name -> content). */
export type CheckpointFiles = Record<string, string | Uint8Array>;

export interface LoadedCheckpoint {
  /** The folder actually read. */
  dir: string;
  model: tf.LayersModel;
  meta: ModelMetadata;
}

/** Serialize a LayersModel to the two files of the tfjs layers format, in memory. */
export async function serializeModel(model: tf.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!artifacts) throw new Error('tfjs did not hand over the model artifacts');
  const data = artifacts.weightData;
  const buffer = data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(buffer) };
}

/**
 * Write a checkpoint folder atomically: model.json, weights.bin, agekit.json and `extraFiles`.
 * An existing checkpoint at `dir` is replaced only once the new one is complete.
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, meta: ModelMetadata, extraFiles: CheckpointFiles = {}): Promise<void> {
  const { modelJson, weights } = await serializeModel(model);
  parseModelMetadata(meta, join(dir, METADATA_FILE)); // never write metadata we could not read back
  const files: CheckpointFiles = { [MODEL_FILE]: modelJson, [WEIGHTS_FILE]: weights, [METADATA_FILE]: JSON.stringify(meta, null, 2) + '\n', ...extraFiles };
  let tmp: string | undefined;
  try {
    tmp = await makeTempDir(dir);
    for (const [name, content] of Object.entries(files)) await writeFileAtomic(join(tmp, name), content);
    await commitDir(tmp, dir);
  } catch (err) {
    // A full disk must not leave a half checkpoint: drop the temp folder, keep the previous one.
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    const fault = writeFaultOf(err);
    if (fault) throw writeFaultError(fault, `checkpoint ${basename(dir)}/`, dir, 'the previous checkpoint there (if any) is unchanged');
    throw err;
  }
}

async function isFile(path: string): Promise<boolean | undefined> {
  try { return (await stat(path)).isFile(); } catch { return undefined; }
}

/**
 * Find the checkpoint folder a user means: a checkpoint folder, a run folder (its `best/`, else
 * `last/`), or a path to its model.json / agekit.json.
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  const abs = resolve(path);
  const kind = await isFile(abs);
  if (kind === true) {
    if (basename(abs) === MODEL_FILE || basename(abs) === METADATA_FILE) return dirname(abs);
    throw new ModelFormatError('is a file but not a checkpoint (expected a folder with model.json and agekit.json)', { where: path, hint: 'pass the run folder, its best/ folder, or a .tflite file' });
  }
  const candidates = [abs, join(abs, BEST_DIR), join(abs, LAST_DIR)];
  for (const c of candidates) {
    const dir = await readableDir(c);
    if (dir && (await isFile(join(dir, MODEL_FILE)))) return dir;
  }
  if (kind === undefined) {
    throw new ModelFormatError('no such file or folder', { where: path, hint: 'pass a run folder written by agekit train, a checkpoint folder, or a .tflite file' });
  }
  throw new ModelFormatError(`no ${MODEL_FILE} here nor in ${BEST_DIR}/ or ${LAST_DIR}/`, { where: path, hint: 'pass a run folder written by agekit train (it has best/ after the first epoch) or a checkpoint folder' });
}

async function readBytes(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelFormatError(missing ? `${what} is missing` : `${what} cannot be read (${(err as Error).message})`, { where: path, hint: 'the checkpoint is incomplete; use another checkpoint or train again' });
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`is not valid JSON (${(err as Error).message})`, { where, hint: 'the file is corrupt; use another checkpoint or train again' });
  }
}

/** Read and validate a checkpoint's agekit.json. */
export async function readCheckpointMetadata(dir: string): Promise<ModelMetadata> {
  const path = join(dir, METADATA_FILE);
  return parseModelMetadata(parseJson((await readBytes(path, METADATA_FILE)).toString('utf8'), path), path);
}

/**
 * Load a checkpoint (see {@link resolveCheckpointDir} for the paths accepted). Every problem is
 * a ModelFormatError naming the file: missing, not JSON, wrong fields, truncated weights.
 */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const dir = await resolveCheckpointDir(path);
  const meta = await readCheckpointMetadata(dir);
  const modelPath = join(dir, MODEL_FILE);
  const model = await loadLayersModelFiles(modelPath);
  const [h, w] = meta.inputSize;
  const shape = model.inputs[0]?.shape;
  if (!shape || shape[1] !== h || shape[2] !== w) {
    model.dispose();
    throw new ModelFormatError(`model input ${JSON.stringify(shape)} does not match inputSize ${JSON.stringify(meta.inputSize)} in ${METADATA_FILE}`, { where: modelPath, hint: 'the two files come from different models' });
  }
  return { dir, model, meta };
}
