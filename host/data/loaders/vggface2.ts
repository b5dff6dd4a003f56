/**
 * `vggface2:<root>`: VGGFace2 with the MIVIA age annotation (VMAGE), in the seed framework's layout.
 *
 *   <root>/train/<class>/<image>.jpg, <root>/test/<class>/<image>.jpg
 *   <root>/annotations/<part>.detected.csv       columns: _, _, path, identity number, x, y, w, h
 *   <root>/annotations/<part>.age_detected.csv   columns: path first, the teacher's age (float) last
 *   <root>/annotations/identity_meta.csv         columns: class id (n000002), name, ... (header row)
 *
 * The official train part is split by identity into train (80%) and val (20%): identities are
 * numbered in order of first appearance (0-based k) and the k-th goes to val when k mod 10 is 1
 * or 2. The seed computes `(len(people_by_identity) - 1) % 10` before adding the new identity and
 * sends 0 and 1 to val: the first identity goes to train, the 2nd and 3rd of every ten to val.
 * The official test part is `test`. Face boxes are made square with a margin. `<root>` may also
 * be the folder holding the seed's `vggface2_data/`, or its `annotations/` folder.
 *
 * @example
 * const ds = await loadVggface2('/data/vggface2', { split: 'val' });
 */
import { join, resolve } from 'node:path';
import type { CropSpec } from '../../../core/contract/face-crop.ts';
import { createFileChecker } from '../image-files.ts';
import { emptyTally, skip, type Dataset, type Sample } from '../dataset.ts';
import { findDatasetRoot, numberField, readSeedCsv, requireDir, round3 } from './seed-csv.ts';
import { existsSync } from 'node:fs';
import { checkParams, numberParam, parseSplitList, toLoadedItems, type SeedLoaderRef } from './spec-params.ts';

export const VGGFACE2_SPLITS = ['train', 'val', 'test'] as const;

/**
 * Default margin, as a fraction of the square side on each side. The seed calls
 * `add_margin(roi, 0.2)`, which (unlike its IMDB-WIKI and Adience calls) adds 0.2 *pixels*: a
 * fraction of 0.2 was evidently meant (VGGFace2's own crops extend the box by 30%). `:margin=0`
 * reproduces the seed's literal crop.
 */
export const VGGFACE2_DEFAULT_MARGIN = 0.2;

/** Ages kept (years); others are skipped and counted. */
const AGE_RANGE = [0, 116] as const;

/**
 * Load VGGFace2 + VMAGE. Parameters: `split` (train, val, test; comma list), `margin` (crop margin
 * fraction, default 0.2).
 */
export async function loadVggface2(root: string, params: Record<string, string> = {}, spec = `vggface2:${root}`): Promise<Dataset> {
  checkParams(params, ['split', 'margin'], spec);
  const dir = findDatasetRoot(resolve(root), (d) => existsSync(join(d, 'annotations', 'identity_meta.csv')), ['vggface2_data']);
  await requireDir(dir, 'vggface2');
  const margin = numberParam(params, 'margin', VGGFACE2_DEFAULT_MARGIN, spec, { min: 0, max: 2 });
  const wanted = params.split === undefined ? [...VGGFACE2_SPLITS] : parseSplitList(params.split, VGGFACE2_SPLITS, spec);
  const skipped = emptyTally();
  const identities = await readIdentityMeta(join(dir, 'annotations', 'identity_meta.csv'));
  const samples: Sample[] = [];
  const parts = [...new Set(wanted.map((s) => (s === 'test' ? 'test' : 'train')))];
  for (const part of parts) {
    const partSamples = await loadPart(dir, part, identities, skipped);
    for (const s of partSamples) if (wanted.includes(s.split!)) samples.push(s);
  }
  const crop: CropSpec = { square: true, margin };
  return { spec, kind: 'vggface2', root: dir, samples, skipped, crop, splits: [...VGGFACE2_SPLITS] };
}

/** identity_meta.csv: class id (`n000002`) -> identity number 2. Header and malformed rows are ignored, as in the seed. */
async function readIdentityMeta(path: string): Promise<Set<number>> {
  const rows = await readSeedCsv(path, 'vggface2');
  const ids = new Set<number>();
  for (const row of rows) {
    const m = /^n(\d+)$/.exec(row[0]?.trim() ?? '');
    if (m) ids.add(Number(m[1]));
  }
  return ids;
}

async function loadPart(dir: string, part: 'train' | 'test', identities: Set<number>, skipped: Dataset['skipped']): Promise<Sample[]> {
  const annotations = join(dir, 'annotations');
  const ageRows = await readSeedCsv(join(annotations, `${part}.age_detected.csv`), 'vggface2');
  const ages = new Map<string, number>();
  for (const row of ageRows) {
    const age = numberField(row[row.length - 1]);
    // The header (and any row whose last field is not a number) is not an age, as in the seed.
    if (row.length >= 2 && age !== undefined) ages.set(row[0].trim(), round3(age));
  }
  const detected = await readSeedCsv(join(annotations, `${part}.detected.csv`), 'vggface2');
  const imagesDir = join(dir, part);
  const identitySplit = new Map<number, string>();
  const samples: Sample[] = [];
  // One folder listing per identity folder instead of one stat per row.
  const fileExists = createFileChecker();
  for (const row of detected) {
    const rel = row[2]?.trim();
    const idNum = numberField(row[3]);
    const box = row.slice(4, 8).map(numberField);
    if (!rel || idNum === undefined || box.length < 4 || box.some((v) => v === undefined)) {
      // The header row of a detected.csv is not a sample; anything else malformed is counted.
      if (!isHeader(row)) skip(skipped, `malformed row in ${part}.detected.csv`, row.join(','));
      continue;
    }
    const path = join(imagesDir, rel);
    const age = ages.get(rel);
    if (age === undefined) { skip(skipped, `no age in ${part}.age_detected.csv`, path); continue; }
    if (age < AGE_RANGE[0] || age > AGE_RANGE[1]) { skip(skipped, `age out of range ${AGE_RANGE[0]}..${AGE_RANGE[1]}`, path); continue; }
    if (!identities.has(idNum)) { skip(skipped, 'identity not in identity_meta.csv', path); continue; }
    if (!fileExists(path)) { skip(skipped, 'image file missing', path); continue; }
    const [x, y, w, h] = box as number[];
    if (!(w > 0 && h > 0)) { skip(skipped, 'empty face box', path); continue; }
    const identity = `n${String(idNum).padStart(6, '0')}`;
    let split = part === 'test' ? 'test' : identitySplit.get(idNum);
    if (split === undefined) {
      // k-th new identity (0-based): val when k mod 10 is 1 or 2, else train (20/80 by identity),
      // the seed's (len - 1) % 10 in {0, 1} taken before the identity is added.
      const k = identitySplit.size % 10;
      split = k === 1 || k === 2 ? 'val' : 'train';
      identitySplit.set(idNum, split);
    }
    samples.push({ path, age, box: { x, y, w, h }, split, identity });
  }
  return samples;
}

function isHeader(row: string[]): boolean {
  return row.slice(3, 8).every((f) => numberField(f) === undefined);
}

/** The `vggface2:` entry of the dataset registry (host/data/load-dataset.ts). */
export const vggface2Loader = {
  kind: 'vggface2',
  usage: 'vggface2:<root>',
  description: 'VGGFace2 with the MIVIA age annotation (VMAGE): annotations/<part>.detected.csv + <part>.age_detected.csv; train/val 80/20 by identity, test',
  options: ['margin'] as readonly string[],
  load: async (ref: SeedLoaderRef) => toLoadedItems(await loadVggface2(ref.location, ref.options, ref.spec)),
};
