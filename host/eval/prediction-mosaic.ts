/**
 * The evaluation mosaic: 20 evaluated faces (spread over the range of true ages) as the model
 * saw them, each labelled with its prediction and the truth, so a reader sees at a glance
 * whether crops, colours and ages make sense.
 *
 * @example
 * await writePredictionMosaic(result, meta, 'val-mosaic.png');
 */
import { cropJobRgb } from '../data/prepare-crops.ts';
import { writeMosaicPng, type MosaicTile } from '../report/mosaic.ts';
import type { ModelMetadata } from '../../core/contract/model-metadata.ts';
import type { EvalResult } from './evaluate.ts';

/** Indices of `count` samples spread evenly over the order of true ages (youngest to oldest). */
export function spreadByAge(truths: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: truths.length }, (_, i) => i).sort((a, b) => truths[a] - truths[b] || a - b);
  if (order.length <= count) return order;
  return Array.from({ length: count }, (_, k) => order[Math.round((k * (order.length - 1)) / (count - 1))]);
}

/** Write a PNG mosaic of `count` (default 20) predictions against the truth. @returns the number of tiles */
export async function writePredictionMosaic(result: EvalResult, meta: ModelMetadata, path: string, count = 20): Promise<number> {
  const [h, w] = meta.inputSize;
  const tiles: MosaicTile[] = [];
  for (const i of spreadByAge(result.truths, count)) {
    const s = result.samples[i];
    const rgb = await cropJobRgb({ path: s.path, box: s.box }, w, h, meta.crop);
    tiles.push({ image: { width: w, height: h, data: rgb }, label: `pred ${result.predictions[i].toFixed(1)}\ntrue ${result.truths[i].toFixed(0)}` });
  }
  await writeMosaicPng(tiles, path, { columns: 5 });
  return tiles.length;
}
