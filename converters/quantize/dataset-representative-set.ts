/**
 * A representative set drawn from a dataset spec (`utkface:<dir>:split=train:limit=200`)
 * through host/data's loaders and batch stream: the same crops and preprocessing training and
 * evaluation use, at the model's input size.
 *
 * @example
 * const set = await datasetRepresentativeSet('utkface:../shared/data/utkface:split=train', meta, { samples: 200 });
 */
import type { ModelMetadata } from '../../core/contract/model-metadata.ts';
import { DataError } from '../../core/errors.ts';
import { loadDataset } from '../../host/data/load-dataset.ts';
import { batchStream } from '../../host/data/batch-stream.ts';
import type { RepresentativeSet } from '../../calibration/representative-set.ts';

export interface DatasetSetOptions {
  /** Samples to use, an evenly spaced subset of the dataset. Default 200. */
  samples?: number;
}

export async function datasetRepresentativeSet(spec: string, meta: Pick<ModelMetadata, 'inputSize' | 'preprocessing' | 'crop'>, options: DatasetSetOptions = {}): Promise<RepresentativeSet> {
  const ds = await loadDataset(spec);
  const want = options.samples ?? 200;
  if (ds.samples.length === 0) throw new DataError('dataset has no samples to calibrate with', { where: spec, hint: 'check the spec and its :split=' });
  const step = Math.max(1, ds.samples.length / want);
  const picked = Array.from({ length: Math.min(want, ds.samples.length) }, (_, i) => ds.samples[Math.floor(i * step)]);
  const subset = { ...ds, samples: picked };
  const [h, w] = meta.inputSize;
  const per = h * w * 3;
  return {
    source: spec,
    inputSize: meta.inputSize,
    preprocessing: meta.preprocessing,
    count: picked.length,
    async *samples() {
      for await (const b of batchStream(subset, { inputSize: meta.inputSize, preprocessing: meta.preprocessing, crop: meta.crop, batchSize: 16 })) {
        for (let i = 0; i < b.n; i++) yield b.x.slice(i * per, (i + 1) * per);
      }
    },
  };
}
