/**
 * ModelRunner over TFLite's WebAssembly build from @tensorflow/tfjs-tflite (tflite_web_api), given
 * the loaded emscripten module and the model's bytes: agekit drives its embind
 * `TFLiteWebModelRunner` (CreateFromBufferAndOptions, GetInputs, GetOutputs, Infer) the way the
 * package's own client does, without tfjs-core tensors. No Node imports: Node loads the module
 * from node_modules (tflite-wasm-runner.ts), the browser kiosk's page from a <script> the kiosk
 * server serves, and both run models through this class.
 *
 * @example
 * const runner = TfliteWebApiRunner.fromBytes(module, bytes, 'student.tflite', 2);
 * const [out] = await runner.run([x], 1);
 */
import { AgekitError, ModelFormatError, UsageError } from '../errors.ts';
import { readTfliteIo, validateTflite } from '../tflite/tflite-metadata.ts';
import type { ModelRunner, TensorSpec } from './model-runner.ts';

/** The embind surface of tflite_web_api used here. */
export interface WebTensor { name: string; shape: string; dataType: string; data(): Float32Array | Int8Array | Uint8Array | Int32Array }
export interface WebVector<T> { size(): number; get(i: number): T; delete(): void }
export interface WebRunner { GetInputs(): WebVector<WebTensor>; GetOutputs(): WebVector<WebTensor>; Infer(): boolean; delete(): void }
export interface WebModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(ptr: number, len: number, o: { numThreads: number; enableProfiling: boolean; maxProfilingBufferEntries: number }): { ok(): boolean; errorMessage(): string; value(): WebRunner };
  };
}

function webSpec(t: WebTensor, fromFile: TensorSpec | undefined): TensorSpec {
  const dtype = (['float32', 'int8', 'uint8', 'int32'] as const).find((d) => d === t.dataType);
  if (!dtype) throw new ModelFormatError(`tensor "${t.name}" has type ${t.dataType}, which agekit cannot feed`, { where: 'tflite-wasm' });
  return { name: t.name, shape: t.shape.split(',').map(Number), dtype, quantization: fromFile?.quantization };
}

const perItem = (s: TensorSpec) => s.shape.slice(1).reduce((a, b) => a * b, 1);

export class TfliteWebApiRunner implements ModelRunner {
  readonly runtime = 'tflite-wasm' as const;
  /** The WASM build applies XNNPACK itself (its profiler shows BlazeFace as one XNNPACK node). */
  readonly accelerator: string;

  protected constructor(
    private readonly module: WebModule,
    private runner: WebRunner | undefined,
    private readonly modelPtr: number,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    private readonly where: string,
    readonly threads: number,
  ) {
    this.accelerator = `xnnpack, wasm simd (${threads} thread${threads === 1 ? '' : 's'})`;
  }

  /**
   * Load a model from its bytes into an already loaded tflite_web_api module.
   * @param threads passed to TFLite: 1 for the single-threaded builds; up to the worker pool (8) for the threaded one in a cross-origin-isolated page
   */
  static fromBytes(m: WebModule, bytes: Uint8Array, where: string, threads = 1): TfliteWebApiRunner {
    // Check the file with agekit's reader first: the WASM runtime aborts on a corrupt file.
    validateTflite(bytes, where);
    const io = readTfliteIo(bytes, where);
    const ptr = m._malloc(bytes.length);
    m.HEAPU8.set(bytes, ptr);
    const res = m.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, { numThreads: threads, enableProfiling: false, maxProfilingBufferEntries: 1024 });
    if (!res.ok()) {
      m._free(ptr);
      throw new ModelFormatError(`TFLite WASM cannot load the model (${res.errorMessage()})`, { where, hint: 'an op may be missing from the WASM build: try --runtime tflite' });
    }
    const runner = res.value();
    const list = (v: WebVector<WebTensor>) => { const a: WebTensor[] = []; for (let i = 0; i < v.size(); i++) a.push(v.get(i)); v.delete(); return a; };
    const byName = (specs: TensorSpec[], name: string, i: number) => specs.find((s) => s.name === name) ?? specs[i];
    const inputs = list(runner.GetInputs()).map((t, i) => webSpec(t, byName(io.inputs, t.name, i)));
    const outputs = list(runner.GetOutputs()).map((t, i) => webSpec(t, byName(io.outputs, t.name, i)));
    // `new this`: TfliteWasmRunner.fromBytes makes a TfliteWasmRunner.
    return new this(m, runner, ptr, inputs, outputs, where, threads);
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
