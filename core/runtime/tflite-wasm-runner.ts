/**
 * ModelRunner over the same .tflite in TFLite's WebAssembly build, from @tensorflow/tfjs-tflite:
 * for machines where the native addon (tfjs-tflite-node) cannot be installed.
 *
 * Why not `loadTFLiteModel` from the package: its loader is browser-first. It decides "web
 * worker" from `typeof window === 'undefined'` (true in Node) and then touches `self.location`
 * and `importScripts`, hence `self is not defined`; on the non-worker path it injects a
 * <script> tag into `document`. No set of globals makes either path load a local file. The
 * emscripten module underneath (wasm/tflite_web_api_cc_simd.js) is a CommonJS factory with a
 * Node path, so agekit loads that directly and drives its embind `TFLiteWebModelRunner`
 * (CreateFromBufferAndOptions, GetInputs, GetOutputs, Infer) the way the package's client does.
 * One more fix is needed: that emscripten version fetches the .wasm with `fetch()` whenever a
 * global fetch exists (Node >= 18), and fetch rejects a file path; agekit reads the bytes and
 * passes them as `wasmBinary`. The threaded builds need browser workers (`self.onmessage`,
 * `importScripts`): in Node the runner is single-threaded (SIMD build).
 *
 * @example
 * const runner = await TfliteWasmRunner.create({ modelPath: 'student.tflite' });
 * const [out] = await runner.run([x], 1);
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AgekitError, ModelFormatError, UsageError } from '../errors.ts';
import { readTfliteIo, validateTflite } from '../tflite/tflite-metadata.ts';
import type { ModelRunner, TensorSpec } from './model-runner.ts';

export interface TfliteWasmRunnerOptions {
  modelPath: string;
  /** Only 1 is possible in Node (see the file comment); other values are reported, not used. */
  threads?: number;
}

/** The embind surface of tflite_web_api used here. */
interface WebTensor { name: string; shape: string; dataType: string; data(): Float32Array | Int8Array | Uint8Array | Int32Array }
interface WebVector<T> { size(): number; get(i: number): T; delete(): void }
interface WebRunner { GetInputs(): WebVector<WebTensor>; GetOutputs(): WebVector<WebTensor>; Infer(): boolean; delete(): void }
interface WebModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(ptr: number, len: number, o: { numThreads: number; enableProfiling: boolean; maxProfilingBufferEntries: number }): { ok(): boolean; errorMessage(): string; value(): WebRunner };
  };
}

let modulePromise: Promise<WebModule> | undefined;

/** Load (once per process) TFLite's WASM module, SIMD single-threaded build. */
export function loadTfliteWasmModule(): Promise<WebModule> {
  modulePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    let dir: string;
    try {
      dir = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
    } catch (err) {
      throw new AgekitError('@tensorflow/tfjs-tflite is not installed', { where: '--runtime tflite-wasm', hint: 'npm install @tensorflow/tfjs-tflite, or use --runtime tflite', cause: err });
    }
    const factory = require(join(dir, 'tflite_web_api_cc_simd.js')) as (m: Record<string, unknown>) => Promise<WebModule>;
    const wasmBinary = await readFile(join(dir, 'tflite_web_api_cc_simd.wasm'));
    return factory({ wasmBinary, locateFile: (f: string) => join(dir, f), print: () => undefined, printErr: () => undefined });
  })();
  return modulePromise;
}

function webSpec(t: WebTensor, fromFile: TensorSpec | undefined): TensorSpec {
  const dtype = (['float32', 'int8', 'uint8', 'int32'] as const).find((d) => d === t.dataType);
  if (!dtype) throw new ModelFormatError(`tensor "${t.name}" has type ${t.dataType}, which agekit cannot feed`, { where: 'tflite-wasm' });
  return { name: t.name, shape: t.shape.split(',').map(Number), dtype, quantization: fromFile?.quantization };
}

const perItem = (s: TensorSpec) => s.shape.slice(1).reduce((a, b) => a * b, 1);

export class TfliteWasmRunner implements ModelRunner {
  readonly runtime = 'tflite-wasm' as const;
  readonly threads = 1;
  /** The WASM build applies XNNPACK itself (its profiler shows BlazeFace as one XNNPACK node). */
  readonly accelerator = 'xnnpack, wasm simd (1 thread)';

  private constructor(
    private readonly module: WebModule,
    private runner: WebRunner | undefined,
    private readonly modelPtr: number,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    private readonly where: string,
  ) {}

  static async create(o: TfliteWasmRunnerOptions): Promise<TfliteWasmRunner> {
    const bytes = new Uint8Array(await readFile(o.modelPath).catch((err) => {
      throw new ModelFormatError(`cannot read the model file (${(err as NodeJS.ErrnoException).code ?? err})`, { where: o.modelPath, hint: 'check the path' });
    }));
    // Check the file with agekit's reader first: the WASM runtime aborts on a corrupt file.
    validateTflite(bytes, o.modelPath);
    const io = readTfliteIo(bytes, o.modelPath);
    const m = await loadTfliteWasmModule();
    const ptr = m._malloc(bytes.length);
    m.HEAPU8.set(bytes, ptr);
    const res = m.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
    if (!res.ok()) {
      m._free(ptr);
      throw new ModelFormatError(`TFLite WASM cannot load the model (${res.errorMessage()})`, { where: o.modelPath, hint: 'an op may be missing from the WASM build: try --runtime tflite' });
    }
    const runner = res.value();
    const list = (v: WebVector<WebTensor>) => { const a: WebTensor[] = []; for (let i = 0; i < v.size(); i++) a.push(v.get(i)); v.delete(); return a; };
    const byName = (specs: TensorSpec[], name: string, i: number) => specs.find((s) => s.name === name) ?? specs[i];
    const inputs = list(runner.GetInputs()).map((t, i) => webSpec(t, byName(io.inputs, t.name, i)));
    const outputs = list(runner.GetOutputs()).map((t, i) => webSpec(t, byName(io.outputs, t.name, i)));
    return new TfliteWasmRunner(m, runner, ptr, inputs, outputs, o.modelPath);
  }

  /**
   * A view of float32 input `index` inside the WASM heap, to fill in place and pass to run()
   * (one copy fewer). Take it right before run(): a heap that grows detaches older views, and
   * run() then refuses the empty array rather than read it.
   */
  inputArray(index: number): Float32Array | undefined {
    if (!this.runner || this.inputs[index]?.dtype !== 'float32') return undefined;
    const ins = this.runner.GetInputs();
    try {
      const data = ins.get(index).data();
      return data instanceof Float32Array ? data : undefined;
    } finally {
      ins.delete();
    }
  }

  async run(inputs: Float32Array[], batch: number): Promise<Float32Array[]> {
    const runner = this.runner;
    if (!runner) throw new UsageError('the runner is closed', { where: this.where });
    if (inputs.length !== this.inputs.length) throw new UsageError(`model takes ${this.inputs.length} inputs, got ${inputs.length}`, { where: this.where });
    this.inputs.forEach((spec, i) => {
      const need = perItem(spec) * batch;
      if (inputs[i].length !== need) throw new UsageError(`input "${spec.name}" needs ${need} values for batch ${batch} of [${spec.shape.slice(1)}], got ${inputs[i].length}`, { where: this.where });
    });
    const results = this.outputs.map((s) => new Float32Array(perItem(s) * batch));
    for (let b = 0; b < batch; b++) {
      // Views into the WASM heap are fetched per call: the heap may grow and detach old views.
      const ins = runner.GetInputs();
      for (let i = 0; i < this.inputs.length; i++) {
        const spec = this.inputs[i], n = perItem(spec);
        const src = inputs[i].subarray(b * n, (b + 1) * n);
        const dst = ins.get(i).data();
        // Filled in place through inputArray(): nothing to copy.
        if (src.buffer === dst.buffer && src.byteOffset === dst.byteOffset) continue;
        if (spec.dtype === 'float32') (dst as Float32Array).set(src);
        else {
          const { scale, zeroPoint } = spec.quantization ?? { scale: 1, zeroPoint: 0 };
          const [lo, hi] = spec.dtype === 'int8' ? [-128, 127] : spec.dtype === 'uint8' ? [0, 255] : [-(2 ** 31), 2 ** 31 - 1];
          for (let k = 0; k < n; k++) dst[k] = Math.min(hi, Math.max(lo, Math.round(src[k] / scale + zeroPoint)));
        }
      }
      ins.delete();
      if (!runner.Infer()) throw new AgekitError('TFLite WASM inference failed', { where: this.where, hint: 'try --runtime tflite' });
      const outs = runner.GetOutputs();
      for (let i = 0; i < this.outputs.length; i++) {
        const spec = this.outputs[i], n = perItem(spec);
        const data = outs.get(i).data();
        const q = spec.dtype === 'float32' ? undefined : spec.quantization ?? { scale: 1, zeroPoint: 0 };
        for (let k = 0; k < n; k++) results[i][b * n + k] = q ? q.scale * (data[k] - q.zeroPoint) : data[k];
      }
      outs.delete();
    }
    return results;
  }

  async close(): Promise<void> {
    if (!this.runner) return;
    this.runner.delete();
    this.runner = undefined;
    this.module._free(this.modelPtr);
  }
}
