/**
 * `adience:<root>`: Adience age groups, in the seed framework's layout.
 *
 *   <root>/annotations/fold_frontal_<k>_data.txt   tab-separated, header row; columns user_id,
 *       original_image, face_id, age, gender, x, y, dx, dy, tilt_ang, fiducial_yaw_angle, fiducial_score
 *   <root>/faces/<user_id>/coarse_tilt_aligned_face.<face_id>.<original_image>
 *   <root>/faces/<user_id>/landmarks.<face_id>.<original_image without extension>.txt
 *       (two header lines, then one landmark per line: ..., x, y)
 *
 * Only rows whose age is one of the 8 groups ((0, 2), (4, 6), ..., (60, 100)) are kept; other age
 * strings (`(38, 42)`, `35`, `None`), incomplete rows and missing files are skipped and counted.
 * The face box is the landmarks' bounding box, made square with a 10% margin and moved up by 15%
 * of the enlarged side, as in the seed. Each sample's split is its fold (`fold0`..`fold4`), its
 * class index is Sample.ageGroup and its age the group's midpoint (for tools that need a number).
 *
 * @example
 * const train = await loadAdience('/data/adience', { fold: '0,1,2,3' });
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, parse as parsePath, resolve } from 'node:path';
import type { Box, CropSpec } from '../../../core/contract/face-crop.ts';
import { DataError } from '../../../core/errors.ts';
import { ADIENCE_AGE_GROUPS } from '../../eval/protocol/adience-accuracy.ts';
import { createFileChecker } from '../image-files.ts';
import { emptyTally, skip, type Dataset, type Sample } from '../dataset.ts';
import { findDatasetRoot, readSeedCsv, requireDir } from './seed-csv.ts';
import { checkParams, selectSplits, toLoadedItems, type SeedLoaderRef } from './spec-params.ts';

export const ADIENCE_FOLDS = [0, 1, 2, 3, 4] as const;
/** Margin of the square box (fraction of the side, each side) and the upward shift after it (fraction of the enlarged side). */
export const ADIENCE_MARGIN = 0.1;
export const ADIENCE_SHIFT_UP = 0.15;

/** Parse an Adience age string: the group index for `(a, b)` matching a group, else undefined. */
export function parseAdienceAge(value: string): number | undefined {
  const m = /^\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(value.trim());
  if (!m) return undefined;
  const lo = Number(m[1]), hi = Number(m[2]);
  const g = ADIENCE_AGE_GROUPS.findIndex(([a, b]) => a === lo && b === hi);
  return g < 0 ? undefined : g;
}

/**
 * The box stored for a face whose landmarks span `bbox`: the seed's square-with-margin crop is
 * centred `ADIENCE_SHIFT_UP * (1 + 2 * margin) * side` above the landmarks' centre, so the box
 * is moved up by that much and the dataset's CropSpec ({square, margin 0.1}) does the rest.
 */
export function adienceFaceBox(bbox: Box): Box {
  const side = Math.max(bbox.w, bbox.h);
  return { x: bbox.x, y: bbox.y - ADIENCE_SHIFT_UP * (1 + 2 * ADIENCE_MARGIN) * side, w: bbox.w, h: bbox.h };
}

/** Bounding box of landmark points (undefined when there are none). */
export function landmarkBox(points: [number, number][]): Box | undefined {
  if (points.length === 0) return undefined;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x; if (x > x1) x1 = x;
    if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Read a landmark file: two header lines, then `..., x, y` per line (values truncated to integers, as the seed does). */
export async function readLandmarks(path: string): Promise<[number, number][] | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const points: [number, number][] = [];
  for (const line of text.split(/\r?\n/).slice(2)) {
    if (!line.trim()) continue;
    const f = line.split(',');
    const x = Number(f[f.length - 2]), y = Number(f[f.length - 1]);
    if (Number.isFinite(x) && Number.isFinite(y)) points.push([Math.trunc(x), Math.trunc(y)]);
  }
  return points;
}

/** Parse `:fold=0,1,2` (also `fold_0` or `fold0`). */
export function parseFolds(value: string, spec: string): number[] {
  const folds = value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => Number(s.replace(/^fold_?/, '')));
  if (folds.length === 0 || folds.some((f) => !(ADIENCE_FOLDS as readonly number[]).includes(f))) {
    throw new DataError(`bad fold list "${value}"`, { where: spec, hint: 'use :fold= with fold numbers 0..4, e.g. :fold=0,1,2' });
  }
  return [...new Set(folds)];
}

/** Load Adience. Parameters: `fold` (comma list of 0..4, default all), `split` (fold0..fold4). */
export async function loadAdience(root: string, params: Record<string, string> = {}, spec = `adience:${root}`): Promise<Dataset> {
  checkParams(params, ['fold', 'split'], spec);
  // The folder holding annotations/ and faces/, or either of those pointed at directly.
  const dir = findDatasetRoot(resolve(root), (d) => existsSync(join(d, 'annotations')) && existsSync(join(d, 'faces')));
  await requireDir(dir, 'adience');
  const annotations = join(dir, 'annotations');
  const present = ADIENCE_FOLDS.filter((k) => existsSync(join(annotations, `fold_frontal_${k}_data.txt`)));
  if (present.length === 0) {
    throw new DataError('no fold_frontal_<k>_data.txt files', { where: annotations, hint: "see the README's adience section for the expected layout" });
  }
  const folds = params.fold === undefined ? [...present] : parseFolds(params.fold, spec);
  const skipped = emptyTally();
  const samples: Sample[] = [];
  const fileExists = createFileChecker();
  for (const k of folds) {
    const file = join(annotations, `fold_frontal_${k}_data.txt`);
    const rows = await readSeedCsv(file, 'adience', '\t');
    const header = rows[0] ?? [];
    const seen = new Set<string>();
    for (let r = 1; r < rows.length; r++) {
      const row = rows[r];
      if (row.length !== header.length || row.some((f) => f.trim() === '')) { skip(skipped, 'incomplete row', `${file}:${r + 1}`); continue; }
      const [userId, original, faceId, ageText] = row.map((f) => f.trim());
      const path = join(dir, 'faces', userId, `coarse_tilt_aligned_face.${faceId}.${original}`);
      const group = parseAdienceAge(ageText);
      if (group === undefined) { skip(skipped, 'age not one of the 8 groups', `${path} (${ageText})`); continue; }
      if (seen.has(path)) { skip(skipped, 'duplicate row', path); continue; }
      seen.add(path);
      if (!fileExists(path)) { skip(skipped, 'image file missing', path); continue; }
      const landmarks = await readLandmarks(join(dir, 'faces', userId, `landmarks.${faceId}.${parsePath(original).name}.txt`));
      const bbox = landmarks && landmarkBox(landmarks);
      if (!bbox) { skip(skipped, landmarks ? 'landmark file has no points' : 'landmark file missing', path); continue; }
      if (!(bbox.w > 0 || bbox.h > 0)) { skip(skipped, 'landmarks span no area', path); continue; }
      const [lo, hi] = ADIENCE_AGE_GROUPS[group];
      samples.push({ path, age: (lo + hi) / 2, ageGroup: group, box: adienceFaceBox(bbox), split: `fold${k}`, identity: userId });
    }
  }
  const crop: CropSpec = { square: true, margin: ADIENCE_MARGIN };
  const splits = present.map((k) => `fold${k}`);
  return { spec, kind: 'adience', root: dir, samples: selectSplits(samples, params.split, splits, spec), skipped, crop, splits };
}

/** The `adience:` entry of the dataset registry (host/data/load-dataset.ts). */
export const adienceLoader = {
  kind: 'adience',
  usage: 'adience:<root>',
  description: 'Adience: annotations/fold_frontal_<k>_data.txt, 8 age groups, box from the landmark files; folds fold0..fold4',
  options: [] as readonly string[],
  load: async (ref: SeedLoaderRef) => toLoadedItems(await loadAdience(ref.location, ref.options, ref.spec)),
};
