/**
 * ModelRunner over the same .tflite in TFLite's WebAssembly build, from @tensorflow/tfjs-tflite:
 * for machines where the native addon (tfjs-tflite-node) cannot be installed.
 *
 * The runner itself is TfliteWebApiRunner (tflite-web-api-runner.ts, shared with the browser kiosk);
 * this file loads the module in Node.
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
import { AgekitError, ModelFormatError } from '../errors.ts';
import { TfliteWebApiRunner, type WebModule } from './tflite-web-api-runner.ts';

export interface TfliteWasmRunnerOptions {
  modelPath: string;
  /** Only 1 is possible in Node (see the file comment); other values are reported, not used. */
  threads?: number;
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

export class TfliteWasmRunner extends TfliteWebApiRunner {
  static async create(o: TfliteWasmRunnerOptions): Promise<TfliteWasmRunner> {
    const bytes = new Uint8Array(await readFile(o.modelPath).catch((err) => {
      throw new ModelFormatError(`cannot read the model file (${(err as NodeJS.ErrnoException).code ?? err})`, { where: o.modelPath, hint: 'check the path' });
    }));
    return TfliteWasmRunner.fromBytes(await loadTfliteWasmModule(), bytes, o.modelPath);
  }

  static override fromBytes(m: WebModule, bytes: Uint8Array, where: string, threads = 1): TfliteWasmRunner {
    // Only the single-threaded build loads in Node (see the file comment).
    return super.fromBytes(m, bytes, where, Math.min(1, threads)) as TfliteWasmRunner;
  }
}
