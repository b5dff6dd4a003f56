/**
 * How well a teacher does on labelled faces: its predictions with its own crop and
 * normalization, scored with the evaluation metrics every model gets (MAE, bias, per decade).
 *
 * @example
 * const r = await evaluateTeacher(teacher, ds.samples); console.log(r.metrics.mae, r.msPerFace);
 */
import { DataError } from '../../core/errors.ts';
import type { Sample } from '../data/dataset.ts';
import { ageMetrics, type AgeMetrics } from '../eval/metrics.ts';
import type { Teacher } from './teacher.ts';
import { readTeacherCrop } from './teacher-input.ts';

export interface TeacherEvalOptions {
  /** Faces per teacher call. Default 16. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface TeacherEvalResult {
  metrics: AgeMetrics;
  /** Teacher ages and true ages, in `samples` order (unreadable images left out). */
  predictions: Float32Array;
  truths: Float32Array;
  samples: Sample[];
  /** Faces whose image could not be read. */
  skipped: number;
  /** Model time per face (inside predict), milliseconds, at this batch size. */
  msPerFace: number;
}

/** Predict every labelled sample with the teacher and score it. Unlabelled samples are a DataError. */
export async function evaluateTeacher(teacher: Teacher, samples: Sample[], options: TeacherEvalOptions = {}): Promise<TeacherEvalResult> {
  const unlabelled = samples.find((s) => s.age === undefined || !Number.isFinite(s.age));
  if (unlabelled) throw new DataError('sample has no age, so the teacher cannot be scored on it', { where: unlabelled.path, hint: 'use a labelled dataset' });
  if (samples.length === 0) throw new DataError('no samples to score the teacher on', { hint: 'check the dataset spec and its :split=' });
  const batchSize = options.batchSize ?? 16;
  const preds: number[] = [], truths: number[] = [];
  const used: Sample[] = [];
  let skipped = 0, modelMs = 0;
  const readBatch = (start: number) => Promise.all(samples.slice(start, start + batchSize).map(async (s) => {
    try { return { s, crop: await readTeacherCrop(teacher.descriptor, s) }; } catch (err) {
      if (err instanceof DataError) return { s, crop: undefined };
      throw err;
    }
  }));
  let next: ReturnType<typeof readBatch> | undefined = readBatch(0);
  for (let start = 0; next; start += batchSize) {
    const batch = await next;
    next = start + batchSize < samples.length ? readBatch(start + batchSize) : undefined;
    const ok = batch.filter((b): b is { s: Sample; crop: Uint8Array } => b.crop !== undefined);
    skipped += batch.length - ok.length;
    if (ok.length === 0) continue;
    const t = performance.now();
    const { ages } = await teacher.predict(ok.map((b) => b.crop));
    modelMs += performance.now() - t;
    ok.forEach((b, i) => { preds.push(ages[i]); truths.push(b.s.age!); used.push(b.s); });
    options.onProgress?.(Math.min(samples.length, start + batchSize), samples.length);
  }
  const predictions = Float32Array.from(preds), truth = Float32Array.from(truths);
  return { metrics: ageMetrics(predictions, truth), predictions, truths: truth, samples: used, skipped, msPerFace: modelMs / Math.max(1, used.length) };
}
