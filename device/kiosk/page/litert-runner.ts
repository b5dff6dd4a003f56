/**
 * ModelRunner over LiteRT.js (@litertjs/core), TFLite's successor runtime for the web: the
 * .tflite runs in its WebAssembly build on XNNPACK, threaded when the page is cross-origin
 * isolated. Reported as runtime `tflite-wasm` (it is TFLite in WebAssembly); `accelerator` names LiteRT.js.
 *
 * @example
 * const litert = await LitertRuntime.load('/litert/', 2);
 * const runner = await litert.open(bytes, 'student.tflite');
 */
import { loadAndCompile, loadLiteRt, Tensor, type CompiledModel } from '@litertjs/core';
import { AgekitError, ModelFormatError, UsageError } from '../../../core/errors.ts';
import type { ModelRunner, TensorSpec } from '../../../core/runtime/model-runner.ts';

/** The loaded LiteRT.js WebAssembly module (one per page: loadLiteRt refuses a second load). */
export class LitertRuntime {
  private constructor(readonly threads: number) {}

  /** Load LiteRT's WebAssembly from `wasmUrl` (a folder URL); threaded only with `threads` > 1 in an isolated page. */
  static async load(wasmUrl: string, threads: number): Promise<LitertRuntime> {
    const threaded = threads > 1 && globalThis.crossOriginIsolated === true;
    try {
      await loadLiteRt(wasmUrl, { threads: threaded });
    } catch (err) {
      throw new AgekitError(`LiteRT.js WebAssembly did not load (${(err as Error).message ?? err})`, { where: wasmUrl, hint: 'check that the kiosk server serves @litertjs/core/wasm (npm ci), or use --runtime tflite-wasm', cause: err }, 'RUNTIME_LOAD');
    }
    return new LitertRuntime(threaded ? threads : 1);
  }

  /** Compile a model from its bytes for the CPU (WebAssembly, XNNPACK). */
  async open(bytes: Uint8Array, where: string): Promise<LitertRunner> {
    let model: CompiledModel;
    try {
      model = await loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: this.threads } });
    } catch (err) {
      throw new ModelFormatError(`LiteRT.js cannot load the model (${(err as Error).message ?? err})`, { where, hint: 'the file is not a TFLite model LiteRT can run: check it with agekit inspect' });
    }
    const spec = (d: { name: string; dtype: string; shape: Int32Array }): TensorSpec => {
      if (d.dtype !== 'float32') throw new ModelFormatError(`tensor "${d.name}" is ${d.dtype}; the kiosk feeds float32 models`, { where, hint: 'convert with a float input and output (agekit convert does)' });
      return { name: d.name, shape: Array.from(d.shape), dtype: 'float32' };
    };
    return new LitertRunner(model, model.getInputDetails().map(spec), model.getOutputDetails().map(spec), this.threads, where);
  }
}

const perItem = (s: TensorSpec) => s.shape.slice(1).reduce((a, b) => a * b, 1);

export class LitertRunner implements ModelRunner {
  readonly runtime = 'tflite-wasm' as const;
  readonly accelerator: string;
  private model: CompiledModel | undefined;

  constructor(model: CompiledModel, readonly inputs: TensorSpec[], readonly outputs: TensorSpec[], readonly threads: number, private readonly where: string) {
    this.model = model;
    this.accelerator = `litert.js wasm xnnpack (${threads} thread${threads === 1 ? '' : 's'})`;
  }

  async run(inputs: Float32Array[], batch: number): Promise<Float32Array[]> {
    const model = this.model;
    if (!model) throw new UsageError('the runner is closed', { where: this.where });
    if (batch !== 1) throw new UsageError(`LiteRT models here take batch 1 (got ${batch})`, { where: this.where });
    if (inputs.length !== this.inputs.length) throw new UsageError(`model takes ${this.inputs.length} inputs, got ${inputs.length}`, { where: this.where });
    const tensors = this.inputs.map((spec, i) => {
      if (inputs[i].length !== perItem(spec)) throw new UsageError(`input "${spec.name}" needs ${perItem(spec)} values, got ${inputs[i].length}`, { where: this.where });
      return new Tensor(inputs[i], spec.shape);
    });
    try {
      const outs = await model.run(tensors);
      // Copies: the tensors' memory belongs to LiteRT and is freed with them.
      return outs.map((o) => { const a = Float32Array.from(o.toTypedArray() as Float32Array); o.delete(); return a; });
    } finally {
      for (const t of tensors) t.delete();
    }
  }

  async close(): Promise<void> {
    this.model?.delete();
    this.model = undefined;
  }
}
