/**
 * One model of `agekit compare`, whatever it is: a teacher (built-in name or descriptor JSON),
 * a run folder or checkpoint (tfjs), or a .tflite file (native TFLite). Each gives its size and
 * cost, its predictions on a dataset with its own input pipeline, and a timed forward pass on
 * already prepared inputs of any batch size.
 *
 * @example
 * const m = await openComparedModel('faceres'); const t = await m.prepareTiming(ds.samples.slice(0, 32));
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { isTflitePath } from '../../core/runtime/open-runner.ts';
import type { Dataset, Sample } from '../data/dataset.ts';
import { batchStream, type Batch } from '../data/batch-stream.ts';
import { loadCheckpoint, resolveCheckpointDir } from '../checkpoint/checkpoint.ts';
import { openAgePredictor } from '../eval/open-predictor.ts';
import { evaluateAgePredictor } from '../eval/evaluate.ts';
import { countMultiplyAdds, countParams } from '../nets/model-cost.ts';
import { profileMultiplyAdds } from './multiply-adds.ts';
import { tfliteCost } from './tflite-cost.ts';
import { readTflite } from '../../core/tflite/read-tflite.ts';
import { readModelJsonFile } from '../../core/tfjs-model-files.ts';
import { evaluateTeacher } from './teacher-eval.ts';
import { BUILTIN_TEACHERS, createTeacher, resolveTeacherDescriptor } from './teacher-registry.ts';
import type { TeacherDescriptor } from './teacher-descriptor.ts';
import { readTeacherCrop } from './teacher-input.ts';
import { predictorCropModel, type CropAgeModel } from '../eval/camera-path.ts';

export interface ComparedModel {
  /** As given on the command line. */
  id: string;
  kind: 'teacher' | 'checkpoint' | 'tflite';
  /** Input [height, width]. */
  inputSize: [number, number];
  parameters?: number;
  multiplyAdds?: number;
  /** Bytes of the model files on disk. */
  fileBytes?: number;
  /** Predicted and true ages of the labelled samples (unreadable images left out). */
  predict(ds: Dataset): Promise<{ predictions: Float32Array; truths: Float32Array }>;
  /** Prepare inputs from these samples; the returned function runs one forward pass of the first n. */
  prepareTiming(samples: Sample[]): Promise<(n: number) => Promise<void>>;
  /** The model as crops in, ages out (with its own crop spec), for the camera path. */
  cropModel: CropAgeModel;
  close(): Promise<void>;
}

/** Total size of files, skipping missing ones. */
async function bytesOf(paths: string[]): Promise<number> {
  let total = 0;
  for (const p of paths) total += (await stat(p).catch(() => undefined))?.size ?? 0;
  return total;
}

/** Files a teacher's model consists of (model.json / manifest and its shards, or the .tflite). */
async function teacherFiles(desc: TeacherDescriptor): Promise<string[]> {
  if (desc.kind === 'tflite') return [desc.model];
  const json = await readModelJsonFile(desc.model) as { weightsManifest?: { paths: string[] }[] } | { paths: string[] }[];
  const manifest = Array.isArray(json) ? json : json.weightsManifest ?? [];
  const shards = manifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => resolve(dirname(desc.model), p)));
  return [desc.model, ...shards];
}

async function openTeacherModel(id: string): Promise<ComparedModel> {
  const desc = await resolveTeacherDescriptor(id);
  const teacher = await createTeacher(desc);
  const [h, w] = desc.inputSize;
  // A blank crop: the count depends only on shapes.
  const multiplyAdds = desc.kind === 'tflite' ? undefined : await profileMultiplyAdds(async () => { await teacher.predict([new Uint8Array(h * w * 3)]); });
  return {
    id, kind: 'teacher', inputSize: desc.inputSize, parameters: teacher.parameters, multiplyAdds,
    fileBytes: await bytesOf(await teacherFiles(desc)),
    async predict(ds) {
      const r = await evaluateTeacher(teacher, ds.samples);
      return { predictions: r.predictions, truths: r.truths };
    },
    async prepareTiming(samples) {
      const crops = await Promise.all(samples.map((s) => readTeacherCrop(desc, s)));
      return async (n) => { await teacher.predict(crops.slice(0, n)); };
    },
    cropModel: {
      name: id, inputSize: desc.inputSize, crop: desc.crop,
      predictCrops: async (crops) => (await teacher.predict(crops)).ages,
    },
    close: () => teacher.close(),
  };
}

async function openStudentModel(id: string): Promise<ComparedModel> {
  const tflite = isTflitePath(id);
  const predictor = await openAgePredictor(id);
  const meta = predictor.meta;
  let parameters: number | undefined, multiplyAdds: number | undefined, fileBytes: number;
  if (tflite) {
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(id));
    fileBytes = bytes.byteLength;
    ({ parameters, multiplyAdds } = tfliteCost(readTflite(bytes, id)));
  } else {
    const dir = await resolveCheckpointDir(id);
    const { model } = await loadCheckpoint(dir);
    parameters = countParams(model);
    multiplyAdds = countMultiplyAdds(model);
    model.dispose();
    fileBytes = await bytesOf((await readdir(dir)).filter((f) => !f.startsWith('.')).map((f) => join(dir, f)));
  }
  const [h, w] = meta.inputSize;
  return {
    id, kind: tflite ? 'tflite' : 'checkpoint', inputSize: meta.inputSize, parameters, multiplyAdds, fileBytes,
    async predict(ds) {
      const r = await evaluateAgePredictor(predictor, ds);
      return { predictions: r.predictions, truths: r.truths };
    },
    async prepareTiming(samples) {
      const ds: Dataset = { spec: 'timing', kind: 'timing', root: '', samples, skipped: { counts: {}, examples: {} }, splits: [] };
      let full: Batch | undefined;
      for await (const b of batchStream(ds, { inputSize: meta.inputSize, preprocessing: meta.preprocessing, crop: meta.crop, batchSize: samples.length })) { full = b; break; }
      const batch = full!;
      return async (n) => {
        await predictor.predict({ n, x: batch.x.subarray(0, n * h * w * 3), ages: batch.ages.subarray(0, n), samples: batch.samples.slice(0, n) });
      };
    },
    cropModel: predictorCropModel(predictor),
    close: () => predictor.close(),
  };
}

/** True when `id` names a teacher (built-in name or a descriptor .json that is not a checkpoint's). */
export function isTeacherId(id: string): boolean {
  if (BUILTIN_TEACHERS[id]) return true;
  return id.endsWith('.json') && !/(^|[\\/])(model|agekit)\.json$/.test(id) && existsSync(id);
}

/** Open a model for comparison (a tfjs backend must be initialised). */
export async function openComparedModel(id: string): Promise<ComparedModel> {
  return isTeacherId(id) ? openTeacherModel(id) : openStudentModel(id);
}
