/**
 * ModelRunner over a TensorFlow.js model on the WASM backend: an agekit checkpoint (a folder
 * with model.json, weights and agekit.json) or any tfjs graph or layers model.json. The baseline
 * runtime (`--runtime tfjs`) and the way to run a model before it is converted to .tflite.
 *
 * @example
 * const runner = await TfjsRunner.create({ modelPath: 'runs/student/best' });
 * const [out] = await runner.run([x], 1);
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../backend/tfjs-backend.ts';
import { modelJsonPath, readModelArtifacts } from '../tfjs-model-files.ts';
import { ModelFormatError } from '../errors.ts';
import type { ModelRunner, TensorSpec } from './model-runner.ts';

export interface TfjsRunnerOptions {
  /** A folder holding model.json, or the model.json itself. */
  modelPath: string;
  /** tfjs backend. Default `wasm` (the device's; `auto` would take tfjs-node where installed). */
  backend?: BackendChoice;
}

function specOf(name: string, shape: readonly (number | null)[] | undefined, dtype: string | undefined): TensorSpec {
  return { name, shape: (shape ?? []).map((d) => (d === null || d < 0 ? 1 : d)), dtype: dtype === 'int32' ? 'int32' : 'float32' };
}

export class TfjsRunner implements ModelRunner {
  readonly runtime = 'tfjs' as const;
  readonly threads = 1;
  get accelerator(): string { return `tfjs ${this.backend}`; }

  private constructor(
    private readonly model: tf.GraphModel | tf.LayersModel,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
    /** The tfjs backend used, e.g. `wasm`. */
    readonly backend: string,
  ) {}

  /**
   * A runner over a model already in memory (e.g. the one being trained). `close()` disposes it
   * unless `keepModel`.
   */
  static fromModel(model: tf.GraphModel | tf.LayersModel, options: { keepModel?: boolean } = {}): TfjsRunner {
    const inputs = model.inputs.map((t) => specOf(t.name, t.shape, t.dtype));
    const outputs = model.outputs.map((t) => specOf(t.name, t.shape, t.dtype));
    const runner = new TfjsRunner(model, inputs, outputs, tf.getBackend());
    runner.keepModel = options.keepModel ?? false;
    return runner;
  }

  private keepModel = false;

  static async create(options: TfjsRunnerOptions): Promise<TfjsRunner> {
    const info = await initBackend(options.backend ?? 'wasm');
    const jsonPath = await modelJsonPath(options.modelPath);
    const artifacts = await readModelArtifacts(jsonPath);
    const isGraph = artifacts.format === 'graph-model' || (artifacts.modelTopology as { node?: unknown })?.node !== undefined;
    try {
      if (isGraph) {
        const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
        const inputs = model.inputs.map((t) => specOf(t.name, t.shape, t.dtype));
        const outputs = model.outputs.map((t) => specOf(t.name, t.shape, t.dtype));
        return new TfjsRunner(model, inputs, outputs, info.name);
      }
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      const inputs = model.inputs.map((t) => specOf(t.name, t.shape, t.dtype));
      const outputs = model.outputs.map((t) => specOf(t.name, t.shape, t.dtype));
      return new TfjsRunner(model, inputs, outputs, info.name);
    } catch (err) {
      throw new ModelFormatError(`tfjs cannot load the model (${(err as Error).message})`, { where: jsonPath, hint: 'is it a tfjs model written by agekit or tensorflowjs_converter?', cause: err });
    }
  }

  async run(inputs: Float32Array[], batch: number): Promise<Float32Array[]> {
    const xs = inputs.map((data, i) => tf.tensor(data, [batch, ...this.inputs[i].shape.slice(1)], 'float32'));
    let ys: tf.Tensor | tf.Tensor[];
    if (this.model instanceof tf.GraphModel) {
      ys = this.model.execute(xs.length === 1 ? xs[0] : xs, this.outputs.map((o) => o.name));
    } else {
      ys = this.model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
    }
    const list = Array.isArray(ys) ? ys : [ys];
    try {
      return await Promise.all(list.map(async (y) => (y.dtype === 'float32' ? (await y.data()) as Float32Array : Float32Array.from(await y.data()))));
    } finally {
      tf.dispose(xs);
      tf.dispose(list);
    }
  }

  async close(): Promise<void> {
    if (!this.keepModel) this.model.dispose();
  }
}
