/**
 * The runtime contract: one interface over the native TFLite runtime (tfjs-tflite-node), the
 * same .tflite in WASM (@tensorflow/tfjs-tflite), and a tfjs checkpoint. Estimators and
 * detectors hold a ModelRunner and never care which one it is.
 *
 * @example
 * const runner = await TfliteRunner.create({ modelPath: 'student.tflite', threads: 2 });
 * const [ages] = await runner.run([input], 1);
 */

export type RuntimeName = 'tflite' | 'tflite-wasm' | 'tfjs';
export const RUNTIME_NAMES: readonly RuntimeName[] = ['tflite', 'tflite-wasm', 'tfjs'];

/** Shape and type of one model input or output. `shape[0]` is the batch dimension. */
export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int8' | 'uint8' | 'int32';
  /** Present for quantized tensors: real = scale * (q - zeroPoint). */
  quantization?: { scale: number; zeroPoint: number };
}

export interface ModelRunner {
  /** Which runtime this is, for reports. */
  readonly runtime: RuntimeName;
  /** Threads used, where the runtime has them. */
  readonly threads: number;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  /** What executes the ops, for reports (e.g. `xnnpack (2 threads)`, `tfjs wasm`). */
  readonly accelerator?: string;
  /**
   * Optional zero-copy input: the array run() would copy float32 input `index` into. A caller
   * that fills it in place and passes it to run() saves that copy. Undefined when not possible.
   */
  inputArray?(index: number): Float32Array | undefined;
  /**
   * Run the model. Inputs are float32 in model units (already normalized), one array per model
   * input, `batch` items each; quantized inputs and outputs are (de)quantized by the runner.
   * @returns one float32 array per model output, `batch` items each, row-major
   */
  run(inputs: Float32Array[], batch: number): Promise<Float32Array[]>;
  /** Release native and WASM memory. */
  close(): Promise<void>;
}
