/**
 * Activation ranges for full-integer quantization: the float graph is written with every
 * activation as an output, run in the real TFLite runtime on each representative sample, and
 * each activation's values go to one range observer (minmax, percentile or mse).
 *
 * @example
 * const ranges = await collectRanges(g, set, { method: 'percentile' });
 */
import { DataError } from '../../core/errors.ts';
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import { createRangeObserver, type CalibrationMethod, type RangeObserverOptions } from '../../calibration/ranges/range-observer.ts';
import type { RepresentativeSet } from '../../calibration/representative-set.ts';
import type { Graph } from '../ir/graph.ts';
import { writeTflite } from '../write-tflite.ts';
import type { TensorRange } from './quantize-int8.ts';

export interface CollectRangesOptions extends RangeObserverOptions {
  /** Default `percentile`. */
  method?: CalibrationMethod;
  /** Interpreter threads. Default 1. */
  threads?: number;
  /** Called after each sample with (done, total of all passes or undefined). */
  onProgress?: (done: number) => void;
}

export interface CollectedRanges { ranges: Map<number, TensorRange>; samples: number }

/** Observe every activation of `g` on the set and return each one's range (graph tensor index -> range). */
export async function collectRanges(g: Graph, set: RepresentativeSet, options: CollectRangesOptions = {}): Promise<CollectedRanges> {
  const method = options.method ?? 'percentile';
  const activations = [...new Set([...g.inputs, ...g.ops.flatMap((op) => op.outputs)])].filter((t) => !g.tensors[t].data);
  const probe: Graph = { ...g, outputs: activations };
  const runner = await TfliteRunner.create({ modelBytes: writeTflite(probe, { where: 'calibration probe' }), threads: options.threads ?? 1 });
  const observers = activations.map(() => createRangeObserver(method, options));
  const passes = observers[0]?.passes ?? 1;
  let samples = 0, done = 0;
  try {
    for (let pass = 0; pass < passes; pass++) {
      let n = 0;
      for await (const x of set.samples()) {
        const outs = await runner.run([x], 1);
        outs.forEach((values, i) => observers[i].observe(values, pass));
        n++;
        options.onProgress?.(++done);
      }
      samples = n;
    }
  } finally {
    await runner.close();
  }
  if (samples === 0) throw new DataError('representative set gave no samples', { where: set.source, hint: 'check the set or dataset spec (is :split= right?)' });
  const ranges = new Map<number, TensorRange>();
  activations.forEach((t, i) => ranges.set(t, observers[i].range()));
  return { ranges, samples };
}
