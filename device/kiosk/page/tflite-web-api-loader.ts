/**
 * Load @tensorflow/tfjs-tflite's WebAssembly build (tflite_web_api) in the page, as its own
 * client does: a <script> from the kiosk server defines `tflite_web_api_ModuleFactory`; the
 * threaded SIMD build when the page is cross-origin isolated (its 8 pthread workers need
 * SharedArrayBuffer), else the single-threaded SIMD build. Models then run through
 * TfliteWebApiRunner, the same class agekit's Node `tflite-wasm` runtime uses.
 *
 * @example
 * const api = await TfliteWebApi.load('/tflite/', 2);
 * const runner = api.open(bytes, 'student.tflite');
 */
import { AgekitError } from '../../../core/errors.ts';
import { TfliteWebApiRunner, type WebModule } from '../../../core/runtime/tflite-web-api-runner.ts';

type ModuleFactory = (m: Record<string, unknown>) => Promise<WebModule>;

export class TfliteWebApi {
  private constructor(private readonly module: WebModule, readonly threads: number) {}

  static async load(wasmUrl: string, threads: number): Promise<TfliteWebApi> {
    const threaded = threads > 1 && globalThis.crossOriginIsolated === true;
    const script = new URL(threaded ? 'tflite_web_api_cc_simd_threaded.js' : 'tflite_web_api_cc_simd.js', new URL(wasmUrl, location.href)).href;
    const fail = (what: string, cause?: unknown) => new AgekitError(`tfjs-tflite WebAssembly did not load (${what})`, { where: script, hint: 'check that the kiosk server serves @tensorflow/tfjs-tflite/wasm (npm ci), or use --runtime litert', cause }, 'RUNTIME_LOAD');
    await new Promise<void>((resolve, reject) => {
      const el = document.createElement('script');
      el.src = script;
      el.onload = () => resolve();
      el.onerror = () => reject(fail('the script failed to load'));
      document.head.append(el);
    });
    const factory = (globalThis as unknown as { tflite_web_api_ModuleFactory?: ModuleFactory }).tflite_web_api_ModuleFactory;
    if (!factory) throw fail('the script defined no tflite_web_api_ModuleFactory');
    try {
      const module = await factory({ locateFile: (f: string) => new URL(f, script).href, mainScriptUrlOrBlob: script, print: () => undefined, printErr: () => undefined });
      return new TfliteWebApi(module, threaded ? threads : 1);
    } catch (err) {
      throw fail((err as Error).message ?? String(err), err);
    }
  }

  open(bytes: Uint8Array, where: string): TfliteWebApiRunner {
    return TfliteWebApiRunner.fromBytes(this.module, bytes, where, this.threads);
  }
}
