/**
 * What the kiosk server tells its page (GET /config.json), and what the page reports back (POST
 * /report). Plain data shared by the Node server and the browser page; no imports of Node.
 *
 * @example
 * const config: KioskConfig = await (await fetch('/config.json')).json();
 */

/** TFLite runtimes the page can run the .tflite files on (both WebAssembly with XNNPACK). */
export type KioskRuntime = 'litert' | 'tflite-wasm';
export const KIOSK_RUNTIMES: readonly KioskRuntime[] = ['litert', 'tflite-wasm'];

/** The page's default: LiteRT.js (measured faster than tfjs-tflite's build on the same page; README, "Browser kiosk"). */
export const DEFAULT_KIOSK_RUNTIME: KioskRuntime = 'litert';

export interface KioskConfig {
  runtime: KioskRuntime;
  /** WASM threads for each model; 1 when the page is not cross-origin isolated. */
  threads: number;
  /** URLs of the detector and the age model (.tflite) on the kiosk server. */
  detectorUrl: string;
  modelUrl: string;
  /** File names, for error messages. */
  detectorName: string;
  modelName: string;
  /** Where the runtimes' WebAssembly files are served. */
  litertWasmUrl: string;
  tfliteWasmUrl: string;
  minScore: number;
  minFacePx: number;
  smoothing: 'median' | 'exponential';
  window: number;
  buckets: string;
  /** Camera size asked of getUserMedia. */
  width: number;
  height: number;
  /** Draw boxes, ages and the stage timings over the video. */
  overlay: boolean;
}

/** What the page POSTs to /report: an error the kiosk met, shown on the page too. */
export interface KioskReport {
  kind: 'error';
  /** Stable code: `camera-denied`, `no-camera`, `camera-failed`, `model-load`, `runtime-load`, `frame`, `page`. */
  code: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}
