/**
 * Representative sets on disk, the one folder format that `agekit calibrate build` writes, the
 * device's `agekit run --collect-calibration` (device/sinks/calibration-collector.ts) collects,
 * and the int8 converter reads: `crops.u8` holds
 * raw uint8 RGB crops, HWC, one after another, BEFORE normalization (so a set can be
 * renormalized), and `manifest.json` says how to read them. This module writes and reads it.
 *
 * @example
 * const set = await openRepresentativeSet('calib/utk96');
 * for await (const x of set.samples()) observe(x); // Float32Array [96, 96, 3], model units
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import { normalizePixels, PREPROCESSINGS, type Preprocessing } from './preprocessing.ts';
import type { CropSpec } from './face-crop.ts';

/** The `format` of every representative-set manifest. */
export const REPRESENTATIVE_SET_FORMAT = 'agekit-representative-set';
export const MANIFEST_FILE = 'manifest.json';
export const CROPS_FILE = 'crops.u8';

/** manifest.json of a representative set (fields after `file` are optional). */
export interface RepresentativeSetManifest {
  format: typeof REPRESENTATIVE_SET_FORMAT;
  version: 1;
  /** Crop [height, width]; channels are always 3. */
  inputSize: [number, number];
  /** Name of the normalization to apply with normalizePixels to get model input. */
  preprocessing: Preprocessing;
  crop?: CropSpec;
  /** Dataset spec or camera spec the crops came from. */
  source: string;
  count: number;
  file: string;
  layout: string;
  /** Crops per true-age decade (`0-9`, ...), or `{ unlabelled: n }`. */
  perDecade?: Record<string, number>;
  /** `agekit calibrate build` or `agekit run --collect-calibration`. */
  collectedBy?: string;
  /** ISO time. */
  created?: string;
  /** `decade` (stratified by true-age decade) or `uniform` (unlabelled data). */
  stratification?: 'decade' | 'uniform';
  seed?: number;
  /** Samples in the dataset the set was drawn from. */
  datasetSamples?: number;
  /** Drawn images that could not be read. */
  skippedImages?: number;
}

/**
 * The representative-set contract the full-integer converter consumes: preprocessed face crops of
 * one input size and preprocessing, streamed one at a time (a folder on disk, or a dataset spec).
 */
export interface RepresentativeSet {
  /** Where the set came from (directory or dataset spec), recorded in the model's metadata. */
  readonly source: string;
  /** Crop size [height, width] of every sample. */
  readonly inputSize: [number, number];
  /** How the crops were normalized (must equal the model's). */
  readonly preprocessing: Preprocessing;
  /** Number of samples, when known in advance. */
  readonly count?: number;
  /** The samples, HWC float32 in model units (already normalized), `h * w * 3` values each. */
  samples(): AsyncIterable<Float32Array>;
}

/** A representative set read from a folder; `crop(i)` gives crop i's raw RGB bytes. */
export interface RepresentativeSetDir extends RepresentativeSet {
  readonly count: number;
  readonly manifest: RepresentativeSetManifest;
  /** Raw RGB bytes of crop `i` [h, w, 3], before normalization. */
  crop(i: number): Promise<Uint8Array>;
}

/** The full manifest for `fields` (format, version, file and layout filled in). */
export function representativeSetManifest(fields: Omit<RepresentativeSetManifest, 'format' | 'version' | 'file' | 'layout'>): RepresentativeSetManifest {
  return { format: REPRESENTATIVE_SET_FORMAT, version: 1, ...fields, file: CROPS_FILE, layout: 'uint8 RGB HWC, count x h x w x 3' };
}

/**
 * Write a set: crops.u8 first, then manifest.json, each atomically, so a folder with a manifest
 * always has its whole crops file.
 * @param crops `count` crops of `h * w * 3` bytes each, concatenated
 */
export async function writeRepresentativeSet(dir: string, crops: Uint8Array, manifest: Omit<RepresentativeSetManifest, 'format' | 'version' | 'file' | 'layout'>): Promise<RepresentativeSetManifest> {
  const [h, w] = manifest.inputSize;
  if (crops.length !== manifest.count * h * w * 3) {
    throw new DataError(`crops hold ${crops.length} bytes, not ${manifest.count} crops of ${h}x${w}x3`, { where: dir, hint: 'this is a bug in the caller' });
  }
  const full = representativeSetManifest(manifest);
  await writeFileAtomic(join(dir, CROPS_FILE), crops);
  await writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(full, null, 2) + '\n');
  return full;
}

/** True when `path` is a folder holding a manifest.json (a representative set, maybe a bad one). */
export async function isRepresentativeSetDir(path: string): Promise<boolean> {
  const s = await stat(join(path, MANIFEST_FILE)).catch(() => undefined);
  return s?.isFile() ?? false;
}

/**
 * Open a set folder written by `agekit calibrate build` or collected on the device. Every problem
 * is a DataError naming the folder or file: no manifest, wrong format, truncated crops, an empty set.
 */
export async function openRepresentativeSet(dir: string): Promise<RepresentativeSetDir> {
  const where = join(dir, MANIFEST_FILE);
  const hint = 'build the set again with agekit calibrate build (or collect it with agekit run --collect-calibration)';
  const text = await readFile(where, 'utf8').catch(() => {
    throw new DataError('is not a representative set: no manifest.json', { where: dir, hint });
  });
  let m: RepresentativeSetManifest;
  try {
    m = JSON.parse(text) as RepresentativeSetManifest;
  } catch (err) {
    throw new DataError(`is not valid JSON (${(err as Error).message})`, { where, hint });
  }
  if (m?.format !== REPRESENTATIVE_SET_FORMAT) throw new DataError(`is not a representative-set manifest (format ${JSON.stringify(m?.format)})`, { where, hint: `expected format "${REPRESENTATIVE_SET_FORMAT}"; ${hint}` });
  const size = m.inputSize;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0)) throw new DataError(`inputSize ${JSON.stringify(size)} is not [height, width]`, { where, hint });
  if (!PREPROCESSINGS.includes(m.preprocessing)) throw new DataError(`preprocessing ${JSON.stringify(m.preprocessing)} is unknown`, { where, hint: `use one of ${PREPROCESSINGS.join(', ')}` });
  if (!Number.isInteger(m.count) || m.count < 0) throw new DataError(`count ${JSON.stringify(m.count)} is not a whole number`, { where, hint });
  if (m.count === 0) throw new DataError('representative set is empty (count 0)', { where: dir, hint: 'build it with --samples > 0 from a dataset with readable faces, or collect more faces' });
  const [h, w] = size;
  const bytes = h * w * 3;
  const file = join(dir, m.file ?? CROPS_FILE);
  const have = (await stat(file).catch(() => undefined))?.size ?? -1;
  if (have < m.count * bytes) {
    throw new DataError(`crops file holds ${Math.max(0, have)} bytes, the manifest says ${m.count} crops of ${h}x${w}x3 (${m.count * bytes} bytes)`, { where: file, hint: `the set is truncated or missing; ${hint}` });
  }
  const read = async (i: number, buf: Uint8Array) => {
    const fh = await open(file, 'r');
    try { await fh.read(buf, 0, bytes, i * bytes); } finally { await fh.close(); }
    return buf;
  };
  return {
    source: dir, inputSize: [h, w], preprocessing: m.preprocessing, count: m.count, manifest: m,
    crop: (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= m.count) throw new DataError(`crop ${i} does not exist (${m.count} crops)`, { where: file });
      return read(i, new Uint8Array(bytes));
    },
    async *samples() {
      const fh = await open(file, 'r');
      try {
        const buf = new Uint8Array(bytes);
        for (let i = 0; i < m.count; i++) {
          await fh.read(buf, 0, bytes, i * bytes);
          yield normalizePixels(buf, m.preprocessing);
        }
      } finally {
        await fh.close();
      }
    },
  };
}
