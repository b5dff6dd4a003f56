/**
 * `agekit convert` as a library call: load a checkpoint or graph model, run the passes
 * (identities, batch-norm folding, activation fusion), quantize (none, float16, dynamic, int8
 * with calibrated ranges), embed the metadata and write the .tflite file atomically.
 *
 * @example
 * const r = await convertModel({ model: 'runs/a/best', out: 'student.tflite', quantize: 'int8',
 *   calibration: 'utkface:../shared/data/utkface:split=train', calibrationMethod: 'percentile' });
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { removeStaleTempFiles } from '../core/atomic-file.ts';
import { UsageError } from '../core/errors.ts';
import type { ModelMetadata, QuantizationInfo } from '../core/contract/model-metadata.ts';
import { checkRepresentativeSet, type RepresentativeSet } from '../calibration/representative-set.ts';
import type { CalibrationMethod } from '../calibration/ranges/range-observer.ts';
import { openRepresentativeSet } from '../core/contract/representative-set-dir.ts';
import type { Graph } from './ir/graph.ts';
import { removeIdentities } from './passes/remove-identities.ts';
import { foldBatchNorm } from './passes/fold-batch-norm.ts';
import { fuseActivation } from './passes/fuse-activation.ts';
import { quantizeDynamic, quantizeFloat16 } from './quantize/quantize-weights.ts';
import { quantizeInt8, type IoType } from './quantize/quantize-int8.ts';
import { collectRanges } from './quantize/collect-ranges.ts';
import { datasetRepresentativeSet } from './quantize/dataset-representative-set.ts';
import { checkMappable, saveTflite, writeTflite } from './write-tflite.ts';
import { loadSource, readMetadataFile, type LoadedSource } from './load-source.ts';
import { readTfliteMetadata } from '../core/tflite/tflite-metadata.ts';
import { buildStandardMetadata, STANDARD_METADATA_NAME } from '../core/tflite/schema/standard-metadata.ts';

export type QuantizeMode = QuantizationInfo['mode'];
export const QUANTIZE_MODES: readonly QuantizeMode[] = ['none', 'float16', 'dynamic', 'int8'];
export const IO_TYPES: readonly IoType[] = ['float', 'int8', 'uint8'];

export interface ConvertOptions {
  /** Checkpoint folder or graph model.json. */
  model: string;
  /** Output .tflite path; omit to only return the bytes. */
  out?: string;
  /** Default `none` (float32). */
  quantize?: QuantizeMode;
  /** io type of an int8 file. Default `float`. */
  io?: IoType;
  /** Representative set, or a dataset spec to draw one from (int8 only). */
  calibration?: string | RepresentativeSet;
  /** Range method for int8. Default `percentile`. */
  calibrationMethod?: CalibrationMethod;
  /** Percentile of the `percentile` method. Default 99.99. */
  percentile?: number;
  /** Samples drawn from a dataset spec. Default 200. */
  calibrationSamples?: number;
  /** Metadata JSON path (or object) replacing the model's own. */
  metadata?: string | ModelMetadata;
  /** Status lines (stderr in the CLI). */
  onStatus?: (line: string) => void;
}

export interface ConvertResult {
  bytes: Uint8Array;
  out?: string;
  source: LoadedSource;
  /** The graph written (after passes and quantization). */
  graph: Graph;
  /** The metadata written into the file (with its `weightsSha256`). */
  meta?: ModelMetadata;
  /** Ops written per IR kind. */
  opCounts: Record<string, number>;
}

/** Apply the float passes every conversion runs. */
export function optimizeGraph(g: Graph): Graph {
  return fuseActivation(foldBatchNorm(removeIdentities(g)));
}

export async function convertModel(options: ConvertOptions): Promise<ConvertResult> {
  const mode = options.quantize ?? 'none';
  if (!QUANTIZE_MODES.includes(mode)) throw new UsageError(`unknown quantization "${mode}"`, { where: '--quantize', hint: `use one of ${QUANTIZE_MODES.join(', ')}` });
  const io = options.io ?? 'float';
  if (io !== 'float' && mode !== 'int8') throw new UsageError(`--io ${io} needs --quantize int8 (got ${mode})`, { where: '--io' });
  if (mode === 'int8' && !options.calibration) {
    throw new UsageError('full-integer quantization needs a representative set', { where: '--calibration', hint: 'pass a set built by agekit calibrate build, or a dataset spec such as utkface:<dir>:split=train' });
  }
  const status = options.onStatus ?? (() => {});
  if (options.out) {
    // Before any work: a folder as --out would fail only at the final rename, after minutes.
    if ((await stat(options.out).catch(() => undefined))?.isDirectory()) {
      throw new UsageError(`${options.out} is a folder`, { where: '--out', hint: `give the .tflite file to write, e.g. ${join(options.out, 'student.tflite')}` });
    }
    const stale = await removeStaleTempFiles(dirname(resolve(options.out)));
    if (stale.length) status(`removed ${stale.length} temp file${stale.length > 1 ? 's' : ''} left by an interrupted write: ${stale.join(', ')}`);
  }
  const metaOverride = typeof options.metadata === 'string' ? await readMetadataFile(options.metadata) : options.metadata;
  const source = await loadSource(options.model, metaOverride);
  let graph = optimizeGraph(source.graph);
  // Before any calibration work: fail at once, listing every op the passes could not map.
  checkMappable(graph, options.model);
  status(`${source.kind} ${options.model}: ${source.graph.ops.length} ops imported, ${graph.ops.length} after folding and fusion`);

  let quantization: QuantizationInfo = { mode };
  if (mode === 'float16') graph = quantizeFloat16(graph);
  else if (mode === 'dynamic') graph = quantizeDynamic(graph);
  else if (mode === 'int8') {
    const set = await resolveCalibration(options.calibration!, source, options.calibrationSamples);
    const method = options.calibrationMethod ?? 'percentile';
    status(`calibrating ${method} ranges on ${set.count ?? '?'} samples from ${set.source}`);
    const { ranges, samples } = await collectRanges(graph, set, { method, percentile: options.percentile });
    graph = quantizeInt8(graph, ranges, { io });
    quantization = { mode, io, calibrationSet: `${set.source} (${samples} samples)`, calibrationMethod: method === 'percentile' ? `percentile ${options.percentile ?? 99.99}` : method };
  }
  const meta = source.meta ? { ...source.meta, quantization } : undefined;
  const extraMetadata = meta ? {
    [STANDARD_METADATA_NAME]: buildStandardMetadata(meta, { inputs: graph.inputs.map((t) => graph.tensors[t].name), outputs: graph.outputs.map((t) => graph.tensors[t].name) }),
  } : undefined;
  const bytes = writeTflite(graph, { metadata: meta, extraMetadata, where: options.model, description: `agekit ${source.meta?.net ?? source.kind} (${mode}${mode === 'int8' ? `, io ${io}` : ''})` });
  if (options.out) await saveTflite(options.out, bytes);
  const opCounts: Record<string, number> = {};
  for (const op of graph.ops) opCounts[op.kind] = (opCounts[op.kind] ?? 0) + 1;
  // The metadata as written, with the weights checksum writeTflite added.
  return { bytes, out: options.out, source, graph, meta: meta ? readTfliteMetadata(bytes, options.out ?? options.model) : undefined, opCounts };
}

async function resolveCalibration(calibration: string | RepresentativeSet, source: LoadedSource, samples?: number): Promise<RepresentativeSet> {
  const meta = source.meta ?? { inputSize: source.inputSize, preprocessing: 'no' as const, crop: { margin: 0, square: true } };
  if (typeof calibration !== 'string') { checkRepresentativeSet(calibration, meta); return calibration; }
  const s = await stat(calibration).catch(() => undefined);
  if (s?.isDirectory()) {
    const dirSet = await openRepresentativeSet(calibration);
    checkRepresentativeSet(dirSet, meta);
    return dirSet;
  }
  const set = await datasetRepresentativeSet(calibration, meta, { samples });
  checkRepresentativeSet(set, meta);
  return set;
}
