/**
 * Open a model with the runtime asked for: `.tflite` files run on native TFLite (`tflite`,
 * default) or its WASM build (`tflite-wasm`); a checkpoint folder or model.json runs on tfjs.
 *
 * @example
 * const runner = await openRunner({ modelPath: 'samples/models/student.tflite', runtime: 'tflite', threads: 2 });
 */
import { existsSync } from 'node:fs';
import { UsageError, ModelFormatError } from '../errors.ts';
import { RUNTIME_NAMES, type ModelRunner, type RuntimeName } from './model-runner.ts';
import { TfjsRunner } from './tfjs-runner.ts';
import { TfliteRunner } from './tflite-runner.ts';
import { TfliteWasmRunner } from './tflite-wasm-runner.ts';

export interface OpenRunnerOptions {
  /** A .tflite file, a checkpoint folder, or a tfjs model.json. */
  modelPath: string;
  /** Default: `tflite` for .tflite files, `tfjs` otherwise. */
  runtime?: RuntimeName;
  /** CPU threads for TFLite (native XNNPACK). Default: the runtime's default. */
  threads?: number;
  /** Path of an external TFLite delegate library (e.g. libedgetpu.so.1 for a Coral). Native tflite only. */
  delegate?: string;
  /** Native tflite only: run on XNNPACK through agekit's delegate shim. Default true (see TfliteRunner). */
  xnnpack?: boolean;
}

/** True when the path names a .tflite file. */
export function isTflitePath(path: string): boolean {
  return /\.tflite$/i.test(path);
}

/** The runtime a model path gets when none is asked for. */
export function defaultRuntime(modelPath: string): RuntimeName {
  return isTflitePath(modelPath) ? 'tflite' : 'tfjs';
}

export async function openRunner(o: OpenRunnerOptions): Promise<ModelRunner> {
  const runtime = o.runtime ?? defaultRuntime(o.modelPath);
  if (!RUNTIME_NAMES.includes(runtime)) throw new UsageError(`unknown runtime "${runtime}"`, { where: '--runtime', hint: `use one of ${RUNTIME_NAMES.join(', ')}` });
  if (!existsSync(o.modelPath)) throw new ModelFormatError('model not found', { where: o.modelPath, hint: 'check the path (models ship in samples/models)' });
  const tflite = isTflitePath(o.modelPath);
  if (runtime === 'tfjs' && tflite) {
    throw new UsageError(`--runtime tfjs runs checkpoints, not .tflite files (${o.modelPath})`, { where: '--runtime', hint: 'use --runtime tflite or tflite-wasm, or give the checkpoint folder' });
  }
  if (runtime !== 'tfjs' && !tflite) {
    throw new UsageError(`--runtime ${runtime} needs a .tflite file (got ${o.modelPath})`, { where: '--runtime', hint: 'convert it with agekit convert, or use --runtime tfjs' });
  }
  if (o.delegate && runtime !== 'tflite') throw new UsageError(`--delegate works only with --runtime tflite (got ${runtime})`, { where: '--delegate' });
  switch (runtime) {
    case 'tfjs': return TfjsRunner.create({ modelPath: o.modelPath });
    case 'tflite': return TfliteRunner.create({ modelPath: o.modelPath, threads: o.threads, delegatePath: o.delegate, xnnpack: o.xnnpack });
    case 'tflite-wasm': return TfliteWasmRunner.create({ modelPath: o.modelPath, threads: o.threads });
  }
}
