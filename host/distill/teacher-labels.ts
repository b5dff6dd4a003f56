/**
 * Teacher labels for a training set, computed once: `--teacher labels.csv` reads a relabel file,
 * `--teacher <name|json>` relabels the training faces into `<run>/teacher-labels.csv` (cached
 * and resumable, never recomputed per epoch). The labels are attached to the samples
 * (`teacherAge`, `teacherDist`), where the distillation targets read them.
 *
 * @example
 * const info = await attachTeacherLabels({ teacher: 'faceres', train, runDir: 'runs/kd' });
 * const targets = distillTargets({ head: 'dex', alpha: 0.5, temperature: 2, teacherFirstAge: info.firstAge });
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../../core/errors.ts';
import type { Dataset, Sample } from '../data/dataset.ts';
import { relabelLoader } from '../data/loaders/relabel.ts';
import { relabelSamples } from './relabel.ts';
import { readRelabelInfo, relabelKey } from './relabel-file.ts';
import { loadTeacher } from './teacher-registry.ts';

export interface AttachTeacherOptions {
  /** A relabel CSV, or a teacher (built-in name or descriptor JSON) to label the training set with. */
  teacher: string;
  train: Dataset;
  /** Run folder: where a teacher's labels are cached (`teacher-labels.csv`). */
  runDir: string;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface TeacherLabelInfo {
  /** The relabel file the labels came from. */
  file: string;
  /** Teacher name recorded in it. */
  teacher: string;
  /** Age of bin 0 of its distributions (0 when none). */
  firstAge: number;
  /** Training samples that got a teacher label. */
  labelled: number;
}

/** True when `teacher` names a relabel CSV rather than a teacher model. */
export function isRelabelFile(teacher: string): boolean {
  return teacher.toLowerCase().endsWith('.csv');
}

/** Label (or look up) every training sample with the teacher and attach the labels. */
export async function attachTeacherLabels(o: AttachTeacherOptions): Promise<TeacherLabelInfo> {
  let file: string;
  if (isRelabelFile(o.teacher)) {
    file = resolve(o.teacher);
    if (!existsSync(file)) throw new DataError('teacher label file not found', { where: file, hint: 'write it with agekit relabel --out <file.csv>, or pass a teacher name' });
  } else {
    file = join(o.runDir, 'teacher-labels.csv');
    const teacher = await loadTeacher(o.teacher);
    o.log?.(`teacher ${teacher.name}: labelling ${o.train.samples.length} training faces once into ${file} (resumable)`);
    const r = await relabelSamples({ teacher, teacherId: o.teacher, samples: o.train.samples, datasetSpec: o.train.spec, out: file, onProgress: o.onProgress });
    await teacher.close();
    o.log?.(`teacher labels: ${r.labelled} computed now, ${r.resumed} cached, ${r.skipped} unreadable`);
  }
  const info = await readRelabelInfo(file);
  const items = await relabelLoader.load({ spec: `relabel:${file}`, kind: 'relabel', location: file, options: {} });
  const byKey = new Map<string, Sample>(items.samples.map((s) => [relabelKey(s), s]));
  let labelled = 0;
  const missing: string[] = [];
  for (const s of o.train.samples) {
    if (s.teacherAge !== undefined) { labelled++; continue; }
    const t = byKey.get(relabelKey(s));
    if (!t) { missing.push(s.path); continue; }
    s.teacherAge = t.teacherAge;
    if (t.teacherDist) s.teacherDist = t.teacherDist;
    labelled++;
  }
  if (missing.length > 0) {
    throw new DataError(`${missing.length} of ${o.train.samples.length} training faces have no label in the teacher file (first: ${missing[0]})`, {
      where: file, hint: `relabel them (agekit relabel resumes the file), or train on the labelled faces only with --dataset relabel:${file}`,
    });
  }
  return { file, teacher: info?.teacher ?? 'unknown', firstAge: info?.firstAge ?? 0, labelled };
}
