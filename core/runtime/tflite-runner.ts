/**
 * ModelRunner over the native TFLite runtime (tfjs-tflite-node: TFLite C API, XNNPACK on CPU,
 * external delegates such as Coral's libedgetpu). The file is checked by agekit's own reader
 * before the native code sees it, since a truncated or foreign file can crash the runtime.
 * int8/uint8 inputs and outputs are (de)quantized here with the file's own parameters.
 *
 * XNNPACK: the TFLite 2.9 inside tfjs-tflite-node does not apply it by default (its C API
 * interpreter runs the builtin kernels: BlazeFace 256 took 58 ms instead of 6-9 ms), so the
 * runner adds it as an external delegate through agekit's shim (xnnpack-delegate/), built once
 * with the C compiler. Without a compiler, or with `xnnpack: false` or AGEKIT_XNNPACK=0, it runs
 * on the builtin kernels and `accelerator` says why.
 *
 * @example
 * const runner = await TfliteRunner.create({ modelPath: 'student.tflite', threads: 2 });
 * const [out] = await runner.run([x], 1); // x: Float32Array [1, h, w, 3], normalized
 * await runner.close();
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { ModelFormatError, AgekitError, UsageError } from '../errors.ts';
import { readTfliteIo, readTfliteMetadata, validateTflite } from '../tflite/tflite-metadata.ts';
import type { ModelMetadata } from '../contract/model-metadata.ts';
import type { ModelRunner, TensorSpec } from './model-runner.ts';
import { xnnpackDelegateLibrary } from './xnnpack-delegate/build-xnnpack-delegate.ts';
import { defaultThreads } from './default-threads.ts';
import { BUNDLED_ADDON_FILE, bundledNativeFile } from './bundled-native.ts';

export interface TfliteRunnerOptions {
  /** Path of the .tflite file (or give `modelBytes`). */
  modelPath?: string;
  /** The file's bytes, when already in memory. */
  modelBytes?: Uint8Array;
  /** Interpreter threads, 1..maxThreads. Default: defaultThreads() (cores-1, 1 to 4; see default-threads.ts). */
  threads?: number;
  /** Most threads accepted (more is a UsageError). Default: the cores this process may use (os.availableParallelism()). */
  maxThreads?: number;
  /** Shared library of an external delegate (e.g. /usr/lib/libedgetpu.so.1 for a Coral Edge TPU). Default none (CPU, XNNPACK). */
  delegatePath?: string;
  /** Options passed to the external delegate (e.g. `{ device: 'usb' }`). Default none. */
  delegateOptions?: Record<string, string>;
  /**
   * Run on XNNPACK through agekit's delegate shim (ignored when `delegatePath` is given: the
   * binding takes one delegate). Default true, unless the environment has AGEKIT_XNNPACK=0.
   */
  xnnpack?: boolean;
  /**
   * Let TFLite's own log lines (e.g. "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.")
   * reach stderr. Default false, unless the environment has AGEKIT_NATIVE_LOGS=1 (read when the
   * runner is created; the CLI's --verbose sets it).
   */
  nativeLogs?: boolean;
}

export const DEFAULT_TFLITE_RUNNER: Required<Pick<TfliteRunnerOptions, 'threads' | 'xnnpack'>> = {
  threads: defaultThreads(),
  xnnpack: process.env.AGEKIT_XNNPACK !== '0',
};

/** The parts of tfjs-tflite-node's native interpreter agekit uses. */
type NativeData = Float32Array | Int32Array | Int8Array | Uint8Array;
interface NativeTensor { readonly dataType: string; readonly shape: string; readonly name: string; data(): NativeData }
interface NativeInterpreter { getInputs(): NativeTensor[]; getOutputs(): NativeTensor[]; infer(): boolean }
type NativeInterpreterClass = new (model: ArrayBuffer, options: { threads?: number; delegate?: { path: string; options: [string, string][] } }) => NativeInterpreter;

function loadNative(): NativeInterpreterClass {
  // CommonJS native addon: loaded on first use, so importing agekit does not require it.
  const require = createRequire(import.meta.url);
  // A device bundle carries the addon alone, compiled for its target (tfjs-tflite-node's
  // JavaScript would pull in tfjs-core and node-fetch, which the interpreter does not use).
  const bundled = bundledNativeFile(BUNDLED_ADDON_FILE);
  try {
    if (bundled) return (require(bundled) as { Interpreter: NativeInterpreterClass }).Interpreter;
    return (require('tfjs-tflite-node') as { TFLiteNodeModelRunner: NativeInterpreterClass }).TFLiteNodeModelRunner;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    if (bundled) {
      throw new AgekitError(`the bundle's native TFLite runtime cannot be loaded (${why})`, {
        where: bundled, hint: `this bundle was built for another machine (${process.platform}-${process.arch} here) or is damaged: run ./install.sh --check, or build one for this machine with agekit bundle --target`,
      });
    }
    throw new AgekitError(`the native TFLite runtime cannot be loaded (${why})`, {
      where: 'tfjs-tflite-node', hint: 'install tfjs-tflite-node (prebuilt for linux x64/arm64, macOS arm64, Windows x64)',
    });
  }
}

const elementsPerItem = (spec: TensorSpec) => spec.shape.slice(1).reduce((a, b) => a * b, 1);

export class TfliteRunner implements ModelRunner {
  readonly runtime = 'tflite' as const;

  /** The binding's own input and output arrays: stable for the interpreter's life, copied to and from TFLite by infer(). */
  private readonly nativeIn: NativeData[];
  private readonly nativeOut: NativeData[];

  private constructor(
    private interpreter: NativeInterpreter | undefined,
    readonly threads: number,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    /** The agekit metadata inside the file, if it has one. */
    readonly meta: ModelMetadata | undefined,
    /** Where the model came from, for errors. */
    readonly where: string,
    /** What runs the ops, e.g. `xnnpack (2 threads)`, or `builtin kernels (why)`. */
    readonly accelerator: string,
  ) {
    this.nativeIn = interpreter!.getInputs().map((t) => t.data());
    this.nativeOut = interpreter!.getOutputs().map((t) => t.data());
  }

  /** Validate the file, then create the native interpreter. */
  static async create(options: TfliteRunnerOptions): Promise<TfliteRunner> {
    const where = options.modelPath ?? '<tflite bytes>';
    let bytes = options.modelBytes;
    if (!bytes) {
      if (!options.modelPath) throw new UsageError('no model given', { where: 'TfliteRunner', hint: 'pass modelPath or modelBytes' });
      try {
        bytes = new Uint8Array(await readFile(options.modelPath));
      } catch (err) {
        throw new ModelFormatError(`cannot read the model file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { where, hint: 'check the path' });
      }
    }
    validateTflite(bytes, where);
    const meta = readTfliteMetadata(bytes, where);
    const io = readTfliteIo(bytes, where);
    const threads = options.threads ?? DEFAULT_TFLITE_RUNNER.threads;
    if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`threads must be an integer >= 1 (got ${threads})`, { where: 'threads' });
    // More threads than cores only adds contention; thousands of them exhaust the machine (4096 made 4108 OS threads).
    const cores = options.maxThreads ?? availableParallelism();
    if (threads > cores) throw new UsageError(`${threads} threads is more than the ${cores} cores this process may use`, { where: 'threads', hint: `use at most ${cores}, or leave it out for the default (${defaultThreads(cores)})` });
    let delegate: { path: string; options: [string, string][] } | undefined;
    if (options.delegatePath) {
      if (!existsSync(options.delegatePath)) {
        throw new UsageError(`delegate library not found (${options.delegatePath})`, { where: 'delegatePath', hint: 'install the delegate (e.g. libedgetpu1-std for Coral) or give its full path' });
      }
      delegate = { path: options.delegatePath, options: Object.entries(options.delegateOptions ?? {}) };
    }
    let accelerator = delegate ? `external delegate ${options.delegatePath}` : 'builtin kernels (XNNPACK off)';
    let viaShim = false;
    if (!delegate && (options.xnnpack ?? DEFAULT_TFLITE_RUNNER.xnnpack)) {
      const lib = await xnnpackDelegateLibrary();
      if (lib.path) {
        // XNNPACK keeps its own thread pool: the interpreter's thread count does not reach it.
        // quiet: TFLite prints an INFO line when it creates the delegate; the shim sends it to /dev/null.
        const quiet = !(options.nativeLogs ?? process.env.AGEKIT_NATIVE_LOGS === '1');
        delegate = { path: lib.path, options: [['num_threads', String(threads)], ['quiet', quiet ? '1' : '0']] };
        viaShim = true;
        accelerator = `xnnpack (${threads} thread${threads > 1 ? 's' : ''})`;
      } else accelerator = `builtin kernels (${lib.reason})`;
    }
    const Native = loadNative();
    // The interpreter copies the model; hand it an ArrayBuffer holding exactly the file.
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const copy = whole ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
    let interpreter: NativeInterpreter;
    // Why the XNNPACK delegate failed, kept for the final error should the builtin kernels fail too.
    let xnnpackError: string | undefined;
    try {
      // The addon tests for the key, not its value: leave `delegate` out when there is none.
      try {
        interpreter = new Native(copy, delegate ? { threads, delegate } : { threads });
      } catch (err) {
        // XNNPACK failed (a graph it cannot take, or the shim found no usable XNNPACK): run on
        // the builtin kernels, saying so.
        if (!viaShim) throw err;
        xnnpackError = (err as Error).message.trim().split('\n')[0];
        interpreter = new Native(copy, { threads });
        accelerator = `builtin kernels (XNNPACK delegate failed: ${xnnpackError})`;
        viaShim = false;
      }
    } catch (err) {
      const also = xnnpackError ? `; with XNNPACK first: ${xnnpackError}` : '';
      throw new ModelFormatError(`the TFLite runtime rejected the model (${(err as Error).message.trim()}${also})`, {
        where, hint: options.delegatePath ? 'check that the delegate matches the model (Edge TPU needs a model compiled by edgetpu_compiler)' : 'convert it again with agekit convert',
      });
    }
    return new TfliteRunner(interpreter, threads, io.inputs, io.outputs, meta, where, accelerator);
  }

  /**
   * The array run() feeds to TFLite for float32 input `index`: fill it in place and pass it back
   * to run() to skip one copy of the input (e.g. a detector letterboxing straight into it).
   * Undefined for quantized inputs (they are quantized from a float array).
   */
  inputArray(index: number): Float32Array | undefined {
    const a = this.nativeIn[index];
    return this.inputs[index]?.dtype === 'float32' && a instanceof Float32Array ? a : undefined;
  }

  async run(inputs: Float32Array[], batch: number): Promise<Float32Array[]> {
    const interp = this.interpreter;
    if (!interp) throw new UsageError('the runner is closed', { where: this.where });
    if (inputs.length !== this.inputs.length) {
      throw new UsageError(`expected ${this.inputs.length} input array(s), got ${inputs.length}`, { where: this.where });
    }
    this.inputs.forEach((spec, i) => {
      const need = elementsPerItem(spec) * batch;
      if (inputs[i].length !== need) throw new UsageError(`input "${spec.name}" needs ${need} values for batch ${batch} of [${spec.shape.slice(1)}], got ${inputs[i].length}`, { where: this.where });
    });
    const nativeIn = this.nativeIn, nativeOut = this.nativeOut;
    const results = this.outputs.map((spec) => new Float32Array(elementsPerItem(spec) * batch));
    // The files agekit writes have batch 1: run the items one after another.
    const itemsPerRun = Math.max(1, this.inputs[0]?.shape[0] ?? 1);
    for (let start = 0; start < batch; start += itemsPerRun) {
      this.inputs.forEach((spec, i) => {
        const n = elementsPerItem(spec) * itemsPerRun;
        const dst = nativeIn[i];
        if (inputs[i] === dst) return; // filled in place (inputArray)
        const src = inputs[i].subarray(start * elementsPerItem(spec), start * elementsPerItem(spec) + n);
        if (spec.quantization && (spec.dtype === 'int8' || spec.dtype === 'uint8')) {
          const { scale, zeroPoint } = spec.quantization;
          const lo = spec.dtype === 'int8' ? -128 : 0, hi = spec.dtype === 'int8' ? 127 : 255;
          for (let k = 0; k < src.length; k++) dst[k] = Math.min(hi, Math.max(lo, Math.round(src[k] / scale + zeroPoint)));
        } else (dst as Float32Array).set(src);
      });
      if (!interp.infer()) throw new AgekitError('TFLite inference failed', { where: this.where, hint: 'run with a valid input size; reconvert the model if this persists' });
      this.outputs.forEach((spec, i) => {
        const n = elementsPerItem(spec) * itemsPerRun;
        const src = nativeOut[i];
        const dst = results[i].subarray(start * elementsPerItem(spec), start * elementsPerItem(spec) + n);
        if (spec.quantization && (spec.dtype === 'int8' || spec.dtype === 'uint8')) {
          const { scale, zeroPoint } = spec.quantization;
          for (let k = 0; k < dst.length; k++) dst[k] = scale * (src[k] - zeroPoint);
        } else if (src instanceof Float32Array) dst.set(src.subarray(0, n));
        else for (let k = 0; k < dst.length; k++) dst[k] = src[k];
      });
    }
    return results;
  }

  async close(): Promise<void> {
    // The native interpreter is freed by its finalizer once unreferenced.
    this.interpreter = undefined;
  }
}
