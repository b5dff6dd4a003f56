/**
 * Read back a set written by `agekit run --collect-calibration`: it has the shape of the
 * converter's RepresentativeSet (source, inputSize, preprocessing, count, samples()), so it can
 * be passed to `agekit convert --quantize int8` as is.
 *
 * @example
 * const set = await openCollectedSet('calib');
 * for await (const x of set.samples()) observe(x); // Float32Array [h, w, 3], model units
 */
import { readFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../core/errors.ts';
import { normalizePixels, PREPROCESSINGS, type Preprocessing } from '../../core/contract/preprocessing.ts';
import { REPRESENTATIVE_SET_FORMAT } from './calibration-collector.ts';

export interface CollectedSet {
  readonly source: string;
  readonly inputSize: [number, number];
  readonly preprocessing: Preprocessing;
  readonly count: number;
  samples(): AsyncIterable<Float32Array>;
}

export async function openCollectedSet(dir: string): Promise<CollectedSet> {
  const where = join(dir, 'manifest.json');
  const text = await readFile(where, 'utf8').catch(() => {
    throw new DataError('no manifest.json', { where: dir, hint: 'collect a set with agekit run --collect-calibration <dir>' });
  });
  const m = JSON.parse(text) as { format?: string; inputSize?: [number, number]; preprocessing?: Preprocessing; count?: number; file?: string };
  if (m.format !== REPRESENTATIVE_SET_FORMAT) throw new DataError(`not a representative set (format ${JSON.stringify(m.format)})`, { where, hint: `expected "${REPRESENTATIVE_SET_FORMAT}"` });
  if (!Array.isArray(m.inputSize) || !PREPROCESSINGS.includes(m.preprocessing!) || !Number.isInteger(m.count)) {
    throw new DataError('manifest lacks inputSize, preprocessing or count', { where, hint: 'collect the set again' });
  }
  const [h, w] = m.inputSize;
  const bytes = h * w * 3, count = m.count!, file = join(dir, m.file ?? 'crops.u8');
  const size = (await open(file, 'r').then(async (fh) => { const s = await fh.stat(); await fh.close(); return s.size; }).catch(() => -1));
  if (size < count * bytes) throw new DataError(`crops file holds ${Math.max(0, size)} bytes, the manifest says ${count} crops of ${bytes}`, { where: file, hint: 'the set is truncated: collect it again' });
  return {
    source: dir, inputSize: [h, w], preprocessing: m.preprocessing!, count,
    async *samples() {
      const fh = await open(file, 'r');
      try {
        const buf = new Uint8Array(bytes);
        for (let i = 0; i < count; i++) {
          await fh.read(buf, 0, bytes, i * bytes);
          yield normalizePixels(buf, m.preprocessing!);
        }
      } finally {
        await fh.close();
      }
    },
  };
}
