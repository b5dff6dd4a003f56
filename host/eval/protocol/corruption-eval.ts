/**
 * Robustness to corruptions (the seed's LFW+C protocol): the MAE of a model on every corruption
 * and severity of a labelled dataset, averaged per group (blur, noise, digital) and over all of
 * them, next to the MAE on the clean images. Each image is corrupted whole, then cropped and
 * normalized exactly as for the clean evaluation.
 *
 * @example
 * const r = await evaluateCorruptions(predictor, await loadDataset('lfwplus:/data/lfwplus'), { severities: [1, 3, 5] });
 * console.log(r.clean, r.groups.blur, r.corrupted);
 */
import { cropFace, type Box, type CropSpec, type RgbImage } from '../../../core/contract/face-crop.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import { AgekitError, DataError } from '../../../core/errors.ts';
import type { Batch } from '../../data/batch-stream.ts';
import type { Dataset, Sample } from '../../data/dataset.ts';
import { mixSeeds } from '../../data/seeded-random.ts';
import { readRgb } from '../../../core/images.ts';
import { CORRUPTION_GROUPS, CORRUPTION_NAMES, SEVERITIES, type CorruptionGroup, type CorruptionName, type Severity } from '../../corruptions/corruption.ts';
import { corruptImage, getCorruption } from '../../corruptions/corruption-table.ts';
import type { AgePredictor } from '../age-predictor.ts';

export interface CorruptionEvalOptions {
  /** Default all 13. */
  corruptions?: readonly CorruptionName[];
  /** Default 1..5. */
  severities?: readonly Severity[];
  /** Base seed of the random corruptions; image i uses mixSeeds(seed, i). Default 0. */
  seed?: number;
  /** Default 32. */
  batchSize?: number;
  /** How boxes become crops. Default the model's own (predictor.meta.crop), as in `agekit eval`. */
  crop?: CropSpec;
  /** Keep decoded images in memory between corruptions when they total less than this. Default 512 MB. */
  cacheBytes?: number;
  /** Progress: (images done, total images over all conditions, current condition). */
  onProgress?: (done: number, total: number, condition: string) => void;
}

export const DEFAULT_CORRUPTION_EVAL = { seed: 0, batchSize: 32, cacheBytes: 512 * 1024 * 1024 };

export interface CorruptionEvalResult {
  /** Samples evaluated (those whose image could be read). */
  n: number;
  /** MAE on the clean images, years. */
  clean: number;
  severities: Severity[];
  /** Per corruption: its group, MAE per severity (in `severities` order) and their mean. */
  byCorruption: { name: CorruptionName; group: CorruptionGroup; mae: number[]; mean: number }[];
  /** Mean MAE over the group's corruptions and severities (only groups evaluated). */
  groups: Partial<Record<CorruptionGroup, number>>;
  /** Mean MAE over every corruption and severity (the seed's "LFW+C" figure). */
  corrupted: number;
  /** Images that could not be read, per reason. */
  skipped: Record<string, number>;
  seconds: number;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Evaluate clean and corrupted MAE. A dataset without ages, or empty, is a DataError. */
export async function evaluateCorruptions(predictor: AgePredictor, dataset: Dataset, options: CorruptionEvalOptions = {}): Promise<CorruptionEvalResult> {
  const corruptions = [...(options.corruptions ?? CORRUPTION_NAMES)];
  const severities = [...(options.severities ?? SEVERITIES)];
  const seed = options.seed ?? DEFAULT_CORRUPTION_EVAL.seed;
  const batchSize = options.batchSize ?? DEFAULT_CORRUPTION_EVAL.batchSize;
  const cacheBytes = options.cacheBytes ?? DEFAULT_CORRUPTION_EVAL.cacheBytes;
  const { meta } = predictor;
  const crop = options.crop ?? meta.crop;
  const [h, w] = meta.inputSize;
  if (dataset.samples.length === 0) throw new DataError('has no samples to evaluate', { where: dataset.spec, hint: 'check the spec and its :split=' });
  const unlabelled = dataset.samples.find((s) => s.age === undefined || !Number.isFinite(s.age));
  if (unlabelled) throw new DataError(`sample has no age (${unlabelled.path})`, { where: dataset.spec, hint: 'evaluate corruptions on a labelled dataset' });

  const t0 = performance.now();
  const skipped: Record<string, number> = {};
  const unreadable = new Set<number>();
  const cache = new Map<number, RgbImage>();
  let cached = 0;
  const decode = async (i: number): Promise<RgbImage | undefined> => {
    const hit = cache.get(i);
    if (hit) return hit;
    if (unreadable.has(i)) return undefined;
    try {
      const img = await readRgb(dataset.samples[i].path);
      if (cached + img.data.length <= cacheBytes) { cache.set(i, img); cached += img.data.length; }
      return img;
    } catch (err) {
      if (!(err instanceof AgekitError)) throw err;
      unreadable.add(i);
      const reason = err.message.includes('missing') ? 'image file missing' : 'image cannot be decoded';
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      return undefined;
    }
  };

  const conditions: { name: CorruptionName | 'clean'; severity: Severity | 0 }[] = [{ name: 'clean', severity: 0 }];
  for (const c of corruptions) { getCorruption(c); for (const s of severities) conditions.push({ name: c, severity: s }); }
  const total = conditions.length * dataset.samples.length;
  let done = 0;
  const maeOf = new Map<string, number>();
  let n = 0;
  for (const cond of conditions) {
    const label = cond.name === 'clean' ? 'clean' : `${cond.name} ${cond.severity}`;
    let absSum = 0, count = 0;
    const x = new Float32Array(batchSize * h * w * 3);
    const ages = new Float32Array(batchSize);
    let batchSamples: Sample[] = [];
    const flush = async () => {
      if (batchSamples.length === 0) return;
      const batch: Batch = { n: batchSamples.length, x, ages, samples: batchSamples };
      const pred = await predictor.predict(batch);
      for (let k = 0; k < batch.n; k++) { absSum += Math.abs(pred[k] - ages[k]); count++; }
      batchSamples = [];
    };
    for (let i = 0; i < dataset.samples.length; i++) {
      const sample = dataset.samples[i];
      const img = await decode(i);
      done++;
      if (!img) continue;
      const shown = cond.name === 'clean' ? img : await corruptImage(img, cond.name, cond.severity as Severity, mixSeeds(seed, i));
      const box: Box = sample.box ?? { x: 0, y: 0, w: shown.width, h: shown.height };
      const k = batchSamples.length;
      normalizePixels(cropFace(shown, box, crop, w, h), meta.preprocessing, x.subarray(k * h * w * 3, (k + 1) * h * w * 3));
      ages[k] = sample.age!;
      batchSamples.push(sample);
      if (batchSamples.length === batchSize) await flush();
      options.onProgress?.(done, total, label);
    }
    await flush();
    if (count === 0) throw new DataError('no image of the dataset could be read', { where: dataset.spec, hint: 'run agekit data check on it' });
    n = count;
    maeOf.set(label, absSum / count);
  }

  const byCorruption = corruptions.map((name) => {
    const mae = severities.map((s) => maeOf.get(`${name} ${s}`)!);
    return { name, group: getCorruption(name).group, mae, mean: mean(mae) };
  });
  const groups: Partial<Record<CorruptionGroup, number>> = {};
  for (const g of CORRUPTION_GROUPS) {
    const all = byCorruption.filter((c) => c.group === g).flatMap((c) => c.mae);
    if (all.length) groups[g] = mean(all);
  }
  return {
    n, clean: maeOf.get('clean')!, severities, byCorruption, groups,
    corrupted: byCorruption.length ? mean(byCorruption.flatMap((c) => c.mae)) : NaN,
    skipped, seconds: (performance.now() - t0) / 1000,
  };
}

/** A fixed-width table of the result (stdout of `agekit eval --corruptions`). */
export function formatCorruptionTable(r: CorruptionEvalResult): string {
  const lines = [`MAE under corruptions (n = ${r.n}; clean ${r.clean.toFixed(2)})`];
  lines.push(`${'corruption'.padEnd(18)}${'group'.padEnd(9)}${r.severities.map((s) => `s${s}`.padStart(7)).join('')}${'mean'.padStart(8)}`);
  for (const c of r.byCorruption) lines.push(`${c.name.padEnd(18)}${c.group.padEnd(9)}${c.mae.map((m) => m.toFixed(2).padStart(7)).join('')}${c.mean.toFixed(2).padStart(8)}`);
  for (const [g, v] of Object.entries(r.groups)) lines.push(`${('mean ' + g).padEnd(27)}${v!.toFixed(2).padStart(7)}`);
  lines.push(`${'mean all corrupted'.padEnd(27)}${r.corrupted.toFixed(2).padStart(7)}`);
  return lines.join('\n') + '\n';
}

/** The JSON form: snake_case fields as in the other reports. */
export function corruptionJson(r: CorruptionEvalResult): Record<string, unknown> {
  return {
    n: r.n, clean_mae: r.clean, severities: r.severities,
    by_corruption: Object.fromEntries(r.byCorruption.map((c) => [c.name, { group: c.group, mae: c.mae, mean: c.mean }])),
    by_group: r.groups, corrupted_mae: r.corrupted, skipped: r.skipped, seconds: r.seconds,
  };
}
