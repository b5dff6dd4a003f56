/**
 * Corrupted copies of a dataset for other tools (the seed's LFW+C): for each corruption and
 * severity, every image corrupted whole and written losslessly, plus a labels.csv that loads as
 * `csv:<out>/<corruption>/<severity>/labels.csv` (path, age, face box, split).
 *
 * @example
 * const summary = await writeCorruptedDataset(await loadDataset('lfwplus:/data/lfw'), { out: 'lfw-c' });
 */
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../core/contract/face-crop.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { AgekitError } from '../../core/errors.ts';
import { emptyTally, skip, type Dataset, type Sample, type SkipTally } from '../data/dataset.ts';
import { mixSeeds } from '../data/seeded-random.ts';
import { readRgb } from '../../core/images.ts';
import { CORRUPTION_NAMES, SEVERITIES, type CorruptionName, type Severity } from './corruption.ts';
import { corruptImage } from './corruption-table.ts';

export type CorruptedFormat = 'png' | 'jpeg';

export interface WriteCorruptedOptions {
  /** Output folder. */
  out: string;
  /** Default all 13. */
  corruptions?: readonly CorruptionName[];
  /** Default 1..5. */
  severities?: readonly Severity[];
  /** Base seed; image i uses mixSeeds(seed, i). Default 0. */
  seed?: number;
  /** Image format: `png` (default, lossless) or `jpeg` (quality 95; adds its own mild artefacts). */
  format?: CorruptedFormat;
  /** Called after each image with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_WRITE_CORRUPTED = { seed: 0, format: 'png' as CorruptedFormat };

export interface CorruptedDatasetSummary {
  out: string;
  /** Images read from the dataset (each written once per corruption and severity). */
  images: number;
  corruptions: CorruptionName[];
  severities: Severity[];
  /** Label file of each corruption/severity: `labels[name][severity]`. */
  labels: Record<string, Record<number, string>>;
  /** Images that could not be read. */
  skipped: SkipTally;
}

/** The file name of sample i inside a corruption folder: its path under the dataset root, else `<i>_<name>`, with the new extension. */
export function corruptedName(sample: Sample, index: number, root: string, format: CorruptedFormat): string {
  const rel = relative(root, sample.path);
  const base = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : `${index}_${basename(sample.path)}`;
  return base.slice(0, base.length - extname(base).length) + (format === 'png' ? '.png' : '.jpg');
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function encode(img: RgbImage, format: CorruptedFormat): Promise<Buffer> {
  const s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } });
  return (format === 'png' ? s.png() : s.jpeg({ quality: 95 })).toBuffer();
}

/** Write every corruption x severity copy of the dataset's samples; labels.csv files are written last, atomically. */
export async function writeCorruptedDataset(ds: Dataset, options: WriteCorruptedOptions): Promise<CorruptedDatasetSummary> {
  const corruptions = [...(options.corruptions ?? CORRUPTION_NAMES)];
  const severities = [...(options.severities ?? SEVERITIES)];
  const seed = options.seed ?? DEFAULT_WRITE_CORRUPTED.seed;
  const format = options.format ?? DEFAULT_WRITE_CORRUPTED.format;
  const rows = new Map<string, string[]>();
  for (const c of corruptions) for (const s of severities) rows.set(`${c}/${s}`, ['path,age,x,y,w,h,split']);
  const skipped = emptyTally();
  let images = 0;
  for (let i = 0; i < ds.samples.length; i++) {
    const sample = ds.samples[i];
    let img: RgbImage;
    try {
      img = await readRgb(sample.path);
    } catch (err) {
      if (!(err instanceof AgekitError)) throw err;
      skip(skipped, 'image cannot be read', sample.path);
      options.onProgress?.(i + 1, ds.samples.length);
      continue;
    }
    const name = corruptedName(sample, i, ds.root, format);
    for (const c of corruptions) {
      for (const s of severities) {
        const out = await corruptImage(img, c, s, mixSeeds(seed, i));
        await writeFileAtomic(join(options.out, c, String(s), name), await encode(out, format));
        const b = sample.box;
        rows.get(`${c}/${s}`)!.push([name, sample.age, b?.x, b?.y, b?.w, b?.h, sample.split].map(csvCell).join(','));
      }
    }
    images++;
    options.onProgress?.(i + 1, ds.samples.length);
  }
  const labels: Record<string, Record<number, string>> = {};
  for (const c of corruptions) {
    labels[c] = {};
    for (const s of severities) {
      const file = join(options.out, c, String(s), 'labels.csv');
      await writeFileAtomic(file, rows.get(`${c}/${s}`)!.join('\n') + '\n');
      labels[c][s] = file;
    }
  }
  const summary: CorruptedDatasetSummary = { out: options.out, images, corruptions, severities, labels, skipped };
  await writeFileAtomic(join(options.out, 'manifest.json'), JSON.stringify({ dataset: ds.spec, seed, format, ...summary }, null, 2) + '\n');
  return summary;
}
