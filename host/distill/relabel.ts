/**
 * Offline label transfer (the seed's VGGFace2 relabelling): a teacher labels every face of a
 * dataset into a relabel CSV, in a seeded random order (a partial file is a random subset). Resumable: rows are appended and fsynced per batch, a restart
 * skips the faces already in the file and drops a half-written last line, so a kill at any
 * moment loses at most one batch of work.
 *
 * @example
 * const r = await relabelSamples({ teacher, teacherId: 'faceres', samples: ds.samples, datasetSpec: ds.spec, out: 'labels.csv' });
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { DataError, isWriteFault, writeFaultError } from '../../core/errors.ts';
import type { Sample } from '../data/dataset.ts';
import { SeededRandom } from '../data/seeded-random.ts';
import { RELABEL_FORMAT, RELABEL_HEADER, datasetMismatch, formatRelabelRow, readRelabelInfo, readRelabelProgress, relabelInfoPath, relabelKey, sameLabelling, type RelabelInfo } from './relabel-file.ts';
import type { Teacher } from './teacher.ts';
import { readTeacherCrop } from './teacher-input.ts';

export interface RelabelOptions {
  teacher: Teacher;
  /** How the user named the teacher (built-in name or descriptor path), recorded in the sidecar. */
  teacherId: string;
  samples: Sample[];
  /** The dataset spec, recorded in the sidecar. */
  datasetSpec: string;
  /** Output CSV; its sidecar is `<out>.json`. */
  out: string;
  /** Faces per teacher call. Default 16. */
  batchSize?: number;
  /**
   * Labelling (and file) order. `shuffled` (default): a seeded random order, so a file cut short
   * is a random subset of the dataset, not its first folders or ages. `dataset`: the dataset's order.
   */
  order?: 'shuffled' | 'dataset';
  /** Seed of the shuffled order. Default 0. */
  seed?: number;
  /** Called after each batch: faces done so far (including resumed ones) and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each face whose image cannot be read; it is left out and counted. */
  onSkip?: (sample: Sample, reason: string) => void;
}

export interface RelabelResult {
  out: string;
  /** Faces in the dataset (distinct path + box). */
  total: number;
  /** Faces found already labelled in the file (resume). */
  resumed: number;
  /** Faces labelled by this run. */
  labelled: number;
  /** Faces whose image could not be read. */
  skipped: number;
  /** Bytes of a half-written last line dropped on resume. */
  droppedBytes: number;
}

function sidecarFor(opts: RelabelOptions): RelabelInfo {
  const t = opts.teacher;
  return {
    format: RELABEL_FORMAT, version: 1, teacher: opts.teacherId,
    inputSize: t.inputSize, crop: t.descriptor.crop, readout: t.descriptor.readout,
    ...(t.bins ? { bins: t.bins, firstAge: t.firstAge, distEncoding: 'float16-base64' as const } : {}),
    dataset: opts.datasetSpec,
  };
}

/** Label every sample with the teacher into `out`, resuming a file this function wrote before. */
export async function relabelSamples(opts: RelabelOptions): Promise<RelabelResult> {
  const { teacher, out } = opts;
  const batchSize = opts.batchSize ?? 16;
  const info = sidecarFor(opts);
  await mkdir(dirname(out), { recursive: true });
  const progress = await readRelabelProgress(out);
  const existing = await readRelabelInfo(out);
  if (progress && progress.totalBytes > 0) {
    if (!existing) throw new DataError(`relabel file exists without its sidecar ${relabelInfoPath(out)}`, { where: out, hint: 'cannot tell which teacher wrote it: delete it or choose another --out' });
    if (!sameLabelling(existing, info)) {
      throw new DataError(`relabel file was written by teacher "${existing.teacher}" (crop ${JSON.stringify(existing.crop)}), not "${info.teacher}" (crop ${JSON.stringify(info.crop)})`, {
        where: out, hint: 'choose another --out, or delete the file to start again',
      });
    }
    const mismatch = datasetMismatch(existing.dataset, info.dataset);
    if (mismatch) {
      throw new DataError(`relabel file holds labels of dataset "${existing.dataset}", not "${info.dataset}" (${mismatch}); resuming would merge two datasets into one file`, {
        where: out, hint: 'give the same --dataset to resume, or choose another --out for the new dataset',
      });
    }
  } else {
    await writeFileAtomic(relabelInfoPath(out), JSON.stringify(info, null, 2) + '\n');
  }

  // Distinct faces (path + box), in the chosen order; rows already in the file are skipped.
  const seen = new Set<string>();
  const faces: Sample[] = [];
  for (const s of opts.samples) {
    const key = relabelKey(s);
    if (!seen.has(key)) { seen.add(key); faces.push(s); }
  }
  if ((opts.order ?? 'shuffled') === 'shuffled') new SeededRandom(opts.seed ?? 0).shuffle(faces);
  const doneKeys = progress?.doneKeys ?? new Set<string>();
  const todo = faces.filter((s) => !doneKeys.has(relabelKey(s)));
  const resumed = faces.length - todo.length;

  const fd = openSync(out, 'a+');
  let droppedBytes = 0;
  try {
    if (progress && progress.completeBytes < progress.totalBytes) {
      droppedBytes = progress.totalBytes - progress.completeBytes;
      ftruncateSync(fd, progress.completeBytes);
    }
    if (!progress || progress.completeBytes === 0) { writeSync(fd, RELABEL_HEADER + '\n'); fsyncSync(fd); }

    let labelled = 0, skipped = 0;
    const readBatch = (start: number) => Promise.all(todo.slice(start, start + batchSize).map(async (s) => {
      try {
        return { sample: s, crop: await readTeacherCrop(teacher.descriptor, s) };
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        return { sample: s, error: err.message };
      }
    }));
    let next = todo.length > 0 ? readBatch(0) : undefined;
    opts.onProgress?.(resumed, faces.length);
    for (let start = 0; next; start += batchSize) {
      const batch = await next;
      // Decode the next batch (in sharp's threads) while the teacher computes this one.
      next = start + batchSize < todo.length ? readBatch(start + batchSize) : undefined;
      const ok = batch.filter((b): b is { sample: Sample; crop: Uint8Array } => b.crop !== undefined);
      for (const b of batch) if (b.crop === undefined) { skipped++; opts.onSkip?.(b.sample, (b as { error: string }).error); }
      if (ok.length > 0) {
        const pred = await teacher.predict(ok.map((b) => b.crop));
        const bins = teacher.bins ?? 0;
        let text = '';
        ok.forEach((b, i) => {
          text += formatRelabelRow(b.sample, pred.ages[i], pred.dist?.subarray(i * bins, (i + 1) * bins));
        });
        const before = fstatSync(fd).size;
        try {
          // A full disk first shows as a short write, then as ENOSPC: write until all is out or it throws.
          const bytes = Buffer.from(text);
          for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
          fsyncSync(fd);
        } catch (err) {
          if (!isWriteFault(err)) throw err;
          // Keep the file whole (complete rows only) so a rerun resumes from it.
          try { ftruncateSync(fd, before); } catch { /* the rerun drops a half row anyway */ }
          throw writeFaultError(err, `relabel rows ${resumed + labelled + skipped + 1}..${resumed + labelled + skipped + ok.length}`, out, `the ${resumed + labelled} rows before them are complete: run the same command again to resume`);
        }
        labelled += ok.length;
      }
      opts.onProgress?.(resumed + labelled + skipped, faces.length);
    }
    return { out, total: faces.length, resumed, labelled, skipped, droppedBytes };
  } finally {
    closeSync(fd);
  }
}
