/**
 * The kiosk page's entry (bundled by esbuild for the browser, served as /kiosk.js): read
 * /config.json, load the runtime and both .tflite files, open the camera, run the frame loop,
 * and expose window.agekit. Every failure lands on the page and in a POST to /report.
 *
 * @example
 * <script type="module" src="/kiosk.js"></script>
 */
import { ModelFormatError } from '../../../core/errors.ts';
import type { ModelRunner } from '../../../core/runtime/model-runner.ts';
import { readTfliteMetadata, validateTflite } from '../../../core/tflite/tflite-metadata.ts';
import { BlazeFaceModel } from '../../detectors/blazeface-model.ts';
import { AgeModelEstimator } from '../../estimators/age-model-estimator.ts';
import { IouTracker } from '../../trackers/iou-tracker.ts';
import { DEFAULT_KIOSK_RUNTIME, type KioskConfig, type KioskReport } from '../kiosk-config.ts';
import { AgekitKioskApi } from './audience-api.ts';
import { CameraFrames } from './camera-frames.ts';
import { runKioskLoop } from './kiosk-loop.ts';
import { LitertRuntime } from './litert-runner.ts';
import { KioskOverlay } from './overlay.ts';
import { cameraErrorReport, errorReport, PageErrors } from './page-errors.ts';
import { TfliteWebApi } from './tflite-web-api-loader.ts';

declare global {
  interface Window { agekit: AgekitKioskApi }
}

/** Seconds before a page that met an error loads again. */
const RETRY_S = 30;

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** One way to open a .tflite from its bytes, whichever runtime the config names. */
type OpenModel = (bytes: Uint8Array, where: string) => Promise<ModelRunner>;

async function loadRuntime(config: KioskConfig): Promise<OpenModel> {
  if (config.runtime === 'tflite-wasm') {
    const api = await TfliteWebApi.load(config.tfliteWasmUrl, config.threads);
    return async (bytes, where) => api.open(bytes, where);
  }
  const litert = await LitertRuntime.load(config.litertWasmUrl, config.threads);
  return (bytes, where) => litert.open(bytes, where);
}

async function fetchModel(url: string, name: string): Promise<Uint8Array> {
  const res = await fetch(url).catch((err) => { throw new ModelFormatError(`cannot fetch the model (${(err as Error).message})`, { where: name, hint: 'is the kiosk server running?' }); });
  if (!res.ok) throw new ModelFormatError(`cannot fetch the model (HTTP ${res.status} ${(await res.text()).slice(0, 200)})`, { where: name, hint: 'check --model and --detector of agekit kiosk' });
  const bytes = new Uint8Array(await res.arrayBuffer());
  // agekit's own checks first: a corrupt file is a clear message here, not a WebAssembly abort.
  validateTflite(bytes, name);
  return bytes;
}

async function main(api: AgekitKioskApi, errors: PageErrors, status: HTMLElement): Promise<void> {
  const fail = (r: KioskReport) => { api.state = 'error'; errors.report(r); api.reportError(r); };
  const res = await fetch('/config.json');
  const config = (await res.json()) as KioskConfig;
  api.info.runtime = config.runtime;
  status.textContent = `loading ${config.detectorName} and ${config.modelName} on ${config.runtime}…`;
  const video = el<HTMLVideoElement>('video');
  // Models and camera in parallel, so that a kiosk with two problems shows both.
  const [models, camera] = await Promise.allSettled([
    (async () => {
      let open: OpenModel;
      try {
        open = await loadRuntime(config);
      } catch (err) {
        throw { code: 'runtime-load', err };
      }
      try {
        const [detBytes, ageBytes] = await Promise.all([fetchModel(config.detectorUrl, config.detectorName), fetchModel(config.modelUrl, config.modelName)]);
        const meta = readTfliteMetadata(ageBytes, config.modelName);
        if (!meta) throw new ModelFormatError('the .tflite file carries no agekit metadata', { where: config.modelName, hint: 'give an age model converted by agekit convert' });
        const detector = BlazeFaceModel.fromRunner(await open(detBytes, config.detectorName), config.detectorName, { minScore: config.minScore, minFacePx: config.minFacePx });
        const estimator = AgeModelEstimator.fromRunner(await open(ageBytes, config.modelName), meta, config.modelName);
        return { detector, estimator };
      } catch (err) {
        throw { code: 'model-load', err };
      }
    })(),
    CameraFrames.open(video, config.width, config.height),
  ]);
  if (models.status === 'rejected') {
    const { code, err } = models.reason as { code: string; err: unknown };
    fail(errorReport(code, err));
  }
  if (camera.status === 'rejected') fail(cameraErrorReport(camera.reason));
  if (models.status === 'rejected' || camera.status === 'rejected') {
    // A camera plugged in or a model file replaced later is picked up without anyone at the screen.
    status.textContent = `agekit kiosk stopped: see the errors; retrying in ${RETRY_S} s`;
    setTimeout(() => location.reload(), RETRY_S * 1000);
    return;
  }
  const { detector, estimator } = models.value;
  // Both runtimes are TFLite in WebAssembly on XNNPACK: say which package runs it.
  const named = (acc?: string) => (config.runtime === 'tflite-wasm' ? `tfjs-tflite ${acc}` : acc);
  api.info = { runtime: config.runtime, detector: named(detector.modelRunner.accelerator), model: named(estimator.modelRunner.accelerator), threads: detector.modelRunner.threads, width: camera.value.width, height: camera.value.height };
  api.state = 'running';
  status.textContent = '';
  api.emit('ready', api.stats());
  // No re-entry on the page yet: content reacting live wants track-end 1 s after a face left, not 5 s (a --reentry-s for the kiosk is still to do).
  const tracker = new IouTracker({ smoothing: { method: config.smoothing, window: config.window }, buckets: config.buckets, reentry: { reentryMs: 0 } });
  const overlay = config.overlay ? new KioskOverlay(el<HTMLCanvasElement>('overlay'), el('stats')) : undefined;
  await runKioskLoop({
    camera: camera.value, detector, estimator, tracker,
    output: (result, frame) => {
      api.publish(result, tracker.active(), frame);
      overlay?.draw(result, api.stats());
    },
    onFrameError: (err) => { const r = errorReport('frame', err); errors.report(r); api.reportError(r); },
  }, new AbortController().signal);
}

const api = new AgekitKioskApi(DEFAULT_KIOSK_RUNTIME);
window.agekit = api;
const errors = new PageErrors(el('error'), '/report');
const status = el('status');
const pageError = (err: unknown) => { const r = errorReport('page', err); api.state = 'error'; errors.report(r); api.reportError(r); };
window.addEventListener('error', (e) => pageError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => pageError(e.reason));
main(api, errors, status).catch(pageError);
