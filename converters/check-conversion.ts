/**
 * `agekit convert --check`: run the written .tflite in the real TFLite runtime and the source
 * model in tfjs on the same real face crops; report the largest output difference (absolute and
 * relative to the output's largest magnitude) and, on labelled data, the MAE of both.
 *
 * @example
 * const report = await checkConversion(result, 'utkface:../shared/data/utkface:split=val', { limit: 50 });
 */
import { TfliteRunner } from '../core/runtime/tflite-runner.ts';
import { readAges, calibrateAge } from '../core/contract/model-metadata.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { batchStream } from '../host/data/batch-stream.ts';
import type { ConvertResult } from './convert-model.ts';

export interface CheckOptions {
  /** Faces compared (evenly spaced over the dataset). Default 50. */
  limit?: number;
  /** Interpreter threads. Default 1. */
  threads?: number;
}

export interface CheckReport {
  dataset: string;
  n: number;
  /** Per output: largest |tflite - tfjs| and that divided by the largest |tfjs|. */
  outputs: { name: string; maxAbsDiff: number; maxRelDiff: number }[];
  /** MAE in years of tfjs and of the .tflite, when the faces have ages and the model metadata. */
  maeTfjs?: number;
  maeTflite?: number;
}

export async function checkConversion(result: ConvertResult, spec: string, options: CheckOptions = {}): Promise<CheckReport> {
  const { source } = result;
  const meta = result.meta;
  const ds = await loadDataset(spec);
  const limit = Math.min(options.limit ?? 50, ds.samples.length);
  const step = ds.samples.length / Math.max(1, limit);
  const subset = { ...ds, samples: Array.from({ length: limit }, (_, i) => ds.samples[Math.floor(i * step)]) };
  const runner = await TfliteRunner.create({ modelBytes: result.bytes, threads: options.threads ?? 1 });
  const names = runner.outputs.map((o) => o.name);
  const maxDiff = names.map(() => 0), maxRef = names.map(() => 0);
  let absTfjs = 0, absTflite = 0, labelled = 0, n = 0;
  const [h, w] = source.inputSize;
  const per = h * w * 3;
  try {
    const stream = batchStream(subset, {
      inputSize: [h, w], preprocessing: meta?.preprocessing ?? 'tf', crop: meta?.crop ?? { margin: 0, square: true }, batchSize: 8,
    });
    for await (const b of stream) {
      for (let i = 0; i < b.n; i++) {
        const x = b.x.subarray(i * per, (i + 1) * per);
        const ref = source.predict(x);
        const got = await runner.run([x], 1);
        ref.forEach((r, k) => {
          for (let j = 0; j < r.length; j++) {
            maxDiff[k] = Math.max(maxDiff[k], Math.abs(r[j] - got[k][j]));
            maxRef[k] = Math.max(maxRef[k], Math.abs(r[j]));
          }
        });
        n++;
        const age = b.ages[i];
        if (meta && Number.isFinite(age)) {
          const o = meta.readout.outputIndex;
          const a = calibrateAge(readAges(ref[o], 1, meta.readout)[0], meta.ageCalibration);
          const c = calibrateAge(readAges(got[o], 1, meta.readout)[0], meta.ageCalibration);
          absTfjs += Math.abs(a - age); absTflite += Math.abs(c - age); labelled++;
        }
      }
    }
  } finally {
    await runner.close();
  }
  return {
    dataset: spec, n,
    outputs: names.map((name, k) => ({ name, maxAbsDiff: maxDiff[k], maxRelDiff: maxRef[k] > 0 ? maxDiff[k] / maxRef[k] : maxDiff[k] })),
    ...(labelled > 0 ? { maeTfjs: absTfjs / labelled, maeTflite: absTflite / labelled } : {}),
  };
}
