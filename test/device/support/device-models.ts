/**
 * Real models for device tests: the shipped BlazeFace .tflite when samples/models has it,
 * otherwise BlazeFace converted by agekit's own converter into a temp folder; and HSE-FaceRes
 * (the teacher in @vladmandic/human) converted to .tflite with agekit metadata, a second real age
 * model beside the shipped student (samples/models/student.tflite).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { convertModel } from '../../../converters/convert-model.ts';
import type { ModelMetadata } from '../../../core/contract/model-metadata.ts';
import { projectRoot } from '../../support/shared-data.ts';

const humanModels = join(projectRoot, 'node_modules', '@vladmandic', 'human', 'models');
let dir: string | undefined;
const tmp = () => (dir ??= mkdtempSync(join(tmpdir(), 'agekit-device-models-')));
const cache = new Map<string, Promise<string>>();

/** Path of a BlazeFace .tflite: samples/models/blazeface.tflite, or one converted now. */
export function blazefaceTflite(): Promise<string> {
  const shipped = join(projectRoot, 'samples', 'models', 'blazeface.tflite');
  if (existsSync(shipped)) return Promise.resolve(shipped);
  if (!cache.has('blazeface')) {
    const out = join(tmp(), 'blazeface.tflite');
    cache.set('blazeface', convertModel({ model: join(humanModels, 'blazeface.json'), out }).then(() => out));
  }
  return cache.get('blazeface')!;
}

/** The BlazeFace tfjs graph model (for the tfjs runtime). */
export const blazefaceGraphModel = join(humanModels, 'blazeface.json');

/** Metadata of HSE-FaceRes as an agekit age model: 224x224 RGB 0..255, expected age over 100 bins (output 2). */
export const FACERES_META: ModelMetadata = {
  format: 'agekit-model', version: 1, net: 'faceres', inputSize: [224, 224], preprocessing: 'no', head: 'dex',
  readout: { kind: 'expected', outputIndex: 2, bins: 100, firstAge: 0 }, crop: { margin: 0.2, square: true },
};

/** HSE-FaceRes converted to .tflite with agekit metadata (about 13 s on a loaded 2-core machine). */
export function faceresTflite(): Promise<string> {
  if (!cache.has('faceres')) {
    const out = join(tmp(), 'faceres.tflite');
    cache.set('faceres', convertModel({ model: join(humanModels, 'faceres.json'), out, metadata: FACERES_META }).then(() => out));
  }
  return cache.get('faceres')!;
}
