/**
 * The training/evaluation input contract: a dataset becomes a stream of ready-to-run batches
 * (decoded, cropped, augmented, normalized), prepared ahead while the model computes.
 *
 * @example
 * for await (const b of batchStream(ds, { inputSize: [64, 64], preprocessing: 'vggface2', batchSize: 32 })) train(b);
 */
import { DEFAULT_CROP, type CropSpec } from '../../core/contract/face-crop.ts';
import { preprocessingAffine, type Preprocessing } from '../../core/contract/preprocessing.ts';
import { DataError } from '../../core/errors.ts';
import type { Dataset, Sample } from './dataset.ts';
import { DEFAULT_AUGMENTATION_CONFIG, drawAugmentation, parseAugmentation, type BoxJitterStd } from './augmentation.ts';
import { CropWorkerPool, defaultCropWorkers } from './crop-worker-pool.ts';
import type { CropJob, CropRequest, CropResult } from './prepare-crops.ts';
import { mixSeeds, SeededRandom } from './seeded-random.ts';

export type Augmentation = 'default' | 'no';

export interface Batch {
  /** Number of items in this batch (the last may be smaller unless dropLast). */
  n: number;
  /** Model input, [n, height, width, 3] float32, normalized for the model. */
  x: Float32Array;
  /** Ages, [n]; NaN where the sample has no label. */
  ages: Float32Array;
  /** The samples of this batch, in order (for reports and teacher targets). */
  samples: Sample[];
}

export interface BatchStreamOptions {
  /** Model input [height, width]. */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  /** Default `no` (validation data is never augmented). */
  augmentation?: Augmentation;
  /** Default 32. */
  batchSize?: number;
  /** With `default` augmentation: box-jitter standard deviations instead of the seed's (see DefaultAugmentationConfig.boxJitterStd). */
  boxJitter?: BoxJitterStd;
  /** Shuffle the order each epoch. Default false. */
  shuffle?: boolean;
  /** Seed for shuffling and augmentation. Default 0. Pass a different seed each epoch (e.g. seed + epoch). */
  seed?: number;
  /** How boxes become crops; default the dataset's own, else {margin: 0, square: true}. */
  crop?: CropSpec;
  /** Batches prepared ahead of the consumer. Default 2. */
  prefetch?: number;
  /** Drop a last incomplete batch. Default false. */
  dropLast?: boolean;
  /**
   * Called for each sample that fails to decode; it is skipped and counted, never fatal.
   * `reason` is a skip reason (`missing_file`, `unreadable_image`), `detail` the error message.
   */
  onSkip?: (sample: Sample, reason: string, detail?: string) => void;
  /**
   * Worker threads that decode and crop; 0 = in the calling thread. Default: cores - 1, at most
   * 4, for streams of at least {@link MIN_SAMPLES_FOR_WORKERS} samples, else 0 (starting workers
   * takes longer than preparing a few hundred crops). Ignored with `pool`.
   */
  workers?: number;
  /**
   * A crop worker pool to use instead of starting one for this stream; the stream does not close
   * it. Starting workers costs about a second (tsx compiles their modules), so a training loop can
   * create one pool and pass it to every epoch's train and validation stream.
   */
  pool?: CropWorkerPool;
}

/** Below this many samples a stream prepares crops in the calling thread unless `workers` says otherwise. */
export const MIN_SAMPLES_FOR_WORKERS = 512;

/** Default values of the optional {@link BatchStreamOptions}. */
export const DEFAULT_BATCH_STREAM = { augmentation: 'no', batchSize: 32, shuffle: false, seed: 0, prefetch: 2, dropLast: false } as const;

function checkOptions(opts: BatchStreamOptions): void {
  const [h, w] = opts.inputSize ?? [];
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new DataError(`inputSize must be two positive integers (got ${JSON.stringify(opts.inputSize)})`, { where: 'batchStream', hint: 'pass [height, width], e.g. [64, 64]' });
  }
  // Checked here, not per image: in a worker an unknown mode would otherwise turn into a skip per sample.
  preprocessingAffine(opts.preprocessing);
  parseAugmentation(opts.augmentation ?? DEFAULT_BATCH_STREAM.augmentation, 'batchStream augmentation');
  const bs = opts.batchSize ?? DEFAULT_BATCH_STREAM.batchSize;
  if (!Number.isInteger(bs) || bs < 1) throw new DataError(`batchSize must be a positive integer (got ${bs})`, { where: 'batchStream' });
}

/**
 * One epoch of `ds` as ready-to-run batches. Images are decoded, cropped (sample.box, or the
 * whole image), augmented and normalized in worker threads, `prefetch` batches ahead of the
 * consumer. A sample whose image fails is left out of its batch (so `n` may be smaller) and
 * reported through `onSkip`; a batch left empty is not yielded. Breaking out of the loop stops
 * the workers.
 */
export async function* batchStream(ds: Dataset, opts: BatchStreamOptions): AsyncGenerator<Batch, void, undefined> {
  checkOptions(opts);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_STREAM.batchSize;
  const seed = opts.seed ?? DEFAULT_BATCH_STREAM.seed;
  const augmentation = opts.augmentation ?? DEFAULT_BATCH_STREAM.augmentation;
  const [outH, outW] = opts.inputSize;
  const crop = opts.crop ?? ds.crop ?? DEFAULT_CROP;
  const augConfig = opts.boxJitter ? { ...DEFAULT_AUGMENTATION_CONFIG, boxJitterStd: opts.boxJitter } : DEFAULT_AUGMENTATION_CONFIG;
  const order = ds.samples.map((_, i) => i);
  // Three values, so the shuffle never shares a generator with an item (those mix two).
  if (opts.shuffle) new SeededRandom(mixSeeds(seed, -1, 0x5eed)).shuffle(order);
  let nBatches = Math.ceil(order.length / batchSize);
  if ((opts.dropLast ?? false) && order.length % batchSize !== 0) nBatches--;
  if (nBatches <= 0) return;

  const request = (k: number): CropRequest => {
    const jobs: CropJob[] = [];
    for (let p = k * batchSize; p < Math.min(order.length, (k + 1) * batchSize); p++) {
      const s = ds.samples[order[p]];
      // Each position of the epoch has its own generator: results do not depend on worker scheduling.
      const aug = drawAugmentation(augmentation, new SeededRandom(mixSeeds(seed, p)), augConfig);
      const job: CropJob = { path: s.path };
      if (s.box) job.box = s.box;
      if (aug) job.aug = aug;
      jobs.push(job);
    }
    return { jobs, outW, outH, preprocessing: opts.preprocessing, crop };
  };

  const pool = opts.pool ?? new CropWorkerPool(opts.workers ?? (order.length >= MIN_SAMPLES_FOR_WORKERS ? defaultCropWorkers() : 0));
  const ahead = Math.max(1, opts.prefetch ?? DEFAULT_BATCH_STREAM.prefetch);
  const inflight: Promise<CropResult>[] = [];
  let queued = 0;
  const fill = () => {
    while (queued < nBatches && inflight.length < ahead + 1) inflight.push(pool.run(request(queued++)));
  };
  try {
    for (let k = 0; k < nBatches; k++) {
      fill();
      const result = await inflight.shift()!;
      fill(); // keep the workers busy while the consumer computes on this batch
      const first = k * batchSize;
      for (const f of result.failed) opts.onSkip?.(ds.samples[order[first + f.index]], f.reason, f.detail);
      if (result.ok.length === 0) continue;
      const samples = result.ok.map((j) => ds.samples[order[first + j]]);
      yield { n: samples.length, x: result.x, ages: Float32Array.from(samples, (s) => s.age ?? NaN), samples };
    }
  } finally {
    // Requests still in flight are rejected by close(), or finish unread in a shared pool.
    for (const p of inflight) p.catch(() => undefined);
    if (!opts.pool) await pool.close();
  }
}
