/**
 * `imdbwiki:<root>`: IMDB-WIKI cleaned, or its aligned variant, in the seed framework's layout.
 *
 *   cleaned: <root>/imdbwiki/<part>/<part>_cleaned.csv, images in <root>/imdbwiki/<part>/<part>_crop/
 *   aligned: <root>/imdbwiki_aligned/<part>/<part>_aligned.csv, images in <root>/imdbwiki_aligned/<part>/<part>_crop_aligned/
 *   (<part> is `imdb` and `wiki`). Columns: _, age, relative path, box (4 numbers), identity name
 *   (the rest of the row; a name split by commas is joined with spaces).
 *
 * The cleaned box is x1, y1, x2, y2, made square with a 5% margin; the aligned box is x, y, w, h,
 * used as is. Ages 1..100 are kept; rows without an identity, with an unknown birth date in the
 * file name (`..._1970-0-0_...`), or whose image is missing are skipped and counted. Each part is
 * split 80/10/10 by identity: the k-th identity of a part (in order of first appearance) goes to
 * val when k mod 10 is 0, to test when it is 1, else to train. Identities are per part
 * (`imdb:<name>`, `wiki:<name>`), as the seed keeps them.
 *
 * @example
 * const ds = await loadImdbWiki('/data', { split: 'train', variant: 'aligned' });
 */
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { CropSpec } from '../../../core/contract/face-crop.ts';
import { DataError } from '../../../core/errors.ts';
import { createFileChecker } from '../image-files.ts';
import { emptyTally, skip, type Dataset, type Sample, type SkipTally } from '../dataset.ts';
import { numberField, readSeedCsv, requireDir, round3 } from './seed-csv.ts';
import { checkParams, selectSplits, toLoadedItems, type SeedLoaderRef } from './spec-params.ts';

export const IMDBWIKI_SPLITS = ['train', 'val', 'test'] as const;
export type ImdbWikiVariant = 'aligned' | 'cleaned';
const PARTS = ['imdb', 'wiki'] as const;

/** The folder of each variant inside the root. */
const VARIANT_DIRS: Record<ImdbWikiVariant, string> = { aligned: 'imdbwiki_aligned', cleaned: 'imdbwiki' };

/** Where a variant keeps one part's annotation file and images, inside the variant's own folder. */
function variantPaths(variantDir: string, variant: ImdbWikiVariant, part: string): { csv: string; images: string } {
  return variant === 'aligned'
    ? { csv: join(variantDir, part, `${part}_aligned.csv`), images: join(variantDir, part, `${part}_crop_aligned`) }
    : { csv: join(variantDir, part, `${part}_cleaned.csv`), images: join(variantDir, part, `${part}_crop`) };
}

/** Where a variant keeps one part's annotation file and images, under the root that holds the variant folders. */
export function imdbWikiPaths(root: string, variant: ImdbWikiVariant, part: string): { csv: string; images: string } {
  return variantPaths(join(root, VARIANT_DIRS[variant]), variant, part);
}

/** True when `dir` is itself a variant's folder (holds `<part>/<part>_aligned.csv` or `_cleaned.csv`). */
function isVariantDir(dir: string, variant: ImdbWikiVariant): boolean {
  return PARTS.some((p) => existsSync(variantPaths(dir, variant, p).csv));
}

/**
 * Load IMDB-WIKI. Parameters: `split` (train, val, test; comma list), `variant` (`aligned` or
 * `cleaned`; default aligned when its folder exists, as in the seed, else cleaned), `part`
 * (`imdb`, `wiki` or both, default both).
 */
export async function loadImdbWiki(root: string, params: Record<string, string> = {}, spec = `imdbwiki:${root}`): Promise<Dataset> {
  checkParams(params, ['split', 'variant', 'part'], spec);
  const dir = resolve(root);
  await requireDir(dir, 'imdbwiki');
  const { variant, variantDir } = chooseVariant(dir, params.variant, spec);
  const parts = params.part === undefined ? [...PARTS] : params.part.split(',').map((p) => p.trim());
  for (const p of parts) {
    if (!(PARTS as readonly string[]).includes(p)) throw new DataError(`unknown part "${p}"`, { where: spec, hint: 'use :part=imdb, :part=wiki or leave it out for both' });
  }
  const skipped = emptyTally();
  const all: Sample[] = [];
  for (const part of parts) all.push(...(await loadPart(variantDir, variant, part, skipped)));
  const samples = selectSplits(all, params.split, IMDBWIKI_SPLITS, spec);
  const crop: CropSpec = variant === 'aligned' ? { square: false, margin: 0 } : { square: true, margin: 0.05 };
  return { spec, kind: 'imdbwiki', root: dir, samples, skipped, crop, splits: [...IMDBWIKI_SPLITS] };
}

/**
 * The variant and its folder: `dir` itself when it is a variant's folder, else the variant folder
 * inside it (aligned first when both exist and no variant is asked for, as in the seed).
 */
function chooseVariant(dir: string, value: string | undefined, spec: string): { variant: ImdbWikiVariant; variantDir: string } {
  if (value !== undefined && value !== 'aligned' && value !== 'cleaned') throw new DataError(`unknown variant "${value}"`, { where: spec, hint: 'use :variant=aligned or :variant=cleaned' });
  const order: ImdbWikiVariant[] = value ? [value as ImdbWikiVariant] : ['aligned', 'cleaned'];
  for (const v of order) if (isVariantDir(dir, v)) return { variant: v, variantDir: dir };
  if (value) return { variant: value as ImdbWikiVariant, variantDir: join(dir, VARIANT_DIRS[value as ImdbWikiVariant]) };
  if (existsSync(join(dir, 'imdbwiki_aligned'))) return { variant: 'aligned', variantDir: join(dir, 'imdbwiki_aligned') };
  if (existsSync(join(dir, 'imdbwiki'))) return { variant: 'cleaned', variantDir: join(dir, 'imdbwiki') };
  throw new DataError('neither imdbwiki_aligned/ nor imdbwiki/ is in the folder, and it is not one of them (no imdb/imdb_aligned.csv, imdb/imdb_cleaned.csv or the wiki ones)', { where: dir, hint: "point imdbwiki: at the folder holding imdbwiki_aligned/ or imdbwiki/, or at one of them; see the README's imdbwiki section" });
}

/** The seed drops images whose file name records an unknown birth date (date field ending in `0-0`). */
export function hasUnknownBirthDate(fileName: string): boolean {
  const fields = basename(fileName, extname(fileName)).split('_');
  return fields.length >= 2 && fields[fields.length - 2].endsWith('0-0');
}

async function loadPart(variantDir: string, variant: ImdbWikiVariant, part: string, skipped: SkipTally): Promise<Sample[]> {
  const { csv, images } = variantPaths(variantDir, variant, part);
  const rows = await readSeedCsv(csv, 'imdbwiki');
  const identitySplit = new Map<string, string>();
  const samples: Sample[] = [];
  const fileExists = createFileChecker();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const rel = row[2]?.trim() ?? '';
    const rawAge = numberField(row[1]);
    if (r === 0 && rawAge === undefined) continue; // header row
    const path = join(images, rel);
    if (!rel || row.length < 7) { skip(skipped, `malformed row in ${basename(csv)}`, `${csv}:${r + 1}`); continue; }
    if (hasUnknownBirthDate(rel)) { skip(skipped, 'unknown birth date in file name', path); continue; }
    if (rawAge === undefined || rawAge < 1 || rawAge > 100) { skip(skipped, 'age missing or outside 1..100', path); continue; }
    const name = row.slice(7).map((s) => s.trim()).filter(Boolean).join(' ');
    if (!name) { skip(skipped, 'no identity', path); continue; }
    const b = row.slice(3, 7).map(numberField);
    if (b.some((v) => v === undefined)) { skip(skipped, 'face box not numeric', path); continue; }
    const [a0, a1, a2, a3] = b as number[];
    const box = variant === 'aligned' ? { x: a0, y: a1, w: a2, h: a3 } : { x: a0, y: a1, w: a2 - a0, h: a3 - a1 };
    if (!(box.w > 0 && box.h > 0)) { skip(skipped, 'empty face box', path); continue; }
    if (!fileExists(path)) { skip(skipped, 'image file missing', path); continue; }
    let split = identitySplit.get(name);
    if (split === undefined) {
      const k = identitySplit.size % 10;
      split = k === 0 ? 'val' : k === 1 ? 'test' : 'train';
      identitySplit.set(name, split);
    }
    samples.push({ path, age: round3(rawAge), box, split, identity: `${part}:${name}` });
  }
  return samples;
}

/** The `imdbwiki:` entry of the dataset registry (host/data/load-dataset.ts). */
export const imdbwikiLoader = {
  kind: 'imdbwiki',
  usage: 'imdbwiki:<root>',
  description: 'IMDB-WIKI cleaned or aligned (per-part CSVs with age, path, box, identity); ages 1..100, 80/10/10 by identity',
  options: ['variant', 'part'] as readonly string[],
  load: async (ref: SeedLoaderRef) => toLoadedItems(await loadImdbWiki(ref.location, ref.options, ref.spec)),
};
