/**
 * `agekit kiosk`: serve the browser kiosk page (camera, the shipped .tflite files running in the
 * page, boxes and ages, window.agekit for signage content) until Ctrl-C. stderr: where it serves,
 * and every error a page reports.
 *
 * @example
 * agekit kiosk --port 8080 &
 * chromium --kiosk --use-fake-ui-for-media-stream http://127.0.0.1:8080/
 */
import { Command, Option } from 'commander';
import { DEFAULT_AGE_BUCKETS } from '../trackers/age-buckets.ts';
import { KIOSK_RUNTIMES, type KioskRuntime } from '../kiosk/kiosk-config.ts';
import { intFlag, numberFlag, sizeFlag } from './cli-args.ts';

interface KioskFlags {
  port: number; host: string; model?: string; detector?: string; runtime: KioskRuntime; threads?: number;
  minFace: number; minScore: number; smoothing: 'median' | 'exponential'; window: number; buckets: string;
  size?: { width: number; height: number }; overlay: boolean;
}

export function registerKiosk(program: Command): void {
  program.command('kiosk')
    .description('serve the browser kiosk: the camera and the .tflite models run in the page (Chromium on a signage player), with window.agekit for content')
    .option('--port <n>', 'TCP port (0: any free one)', intFlag('--port', { min: 0, max: 65535 }), 8080)
    .option('--host <address>', 'address to bind (the browser must reach it as localhost or over https for the camera)', '127.0.0.1')
    .option('--model <file.tflite>', 'age model (default: the shipped student in samples/models)')
    .option('--detector <file.tflite>', 'face detector (default: samples/models/blazeface.tflite)')
    .addOption(new Option('--runtime <name>', 'TFLite runtime in the page: LiteRT.js or tfjs-tflite\'s WebAssembly build').choices([...KIOSK_RUNTIMES]).default('litert'))
    .option('--threads <n>', 'WebAssembly threads per model in the page (default: cores, at most 4)', intFlag('--threads', { min: 1, max: 8 }))
    .option('--min-face <px>', 'ignore faces smaller than this, in frame pixels', numberFlag('--min-face', { min: 0 }), 0)
    .option('--min-score <p>', 'minimum detector score', numberFlag('--min-score', { min: 0, max: 1 }), 0.5)
    .addOption(new Option('--smoothing <method>', 'per-track age smoothing').choices(['median', 'exponential']).default('median'))
    .option('--window <n>', 'estimates kept per track for the median', intFlag('--window', { min: 1 }), 10)
    .option('--buckets <spec>', 'age buckets', DEFAULT_AGE_BUCKETS)
    .option('--size <WxH>', 'camera size to ask for (default: 640x480)', sizeFlag('--size'))
    .option('--no-overlay', 'no boxes, ages or speed line over the video (signage content draws its own)')
    .action(async function (this: Command) {
      const f = this.opts<KioskFlags>();
      const { startKioskServer } = await import('../kiosk/kiosk-server.ts');
      const server = await startKioskServer({
        port: f.port, host: f.host, modelPath: f.model, detectorPath: f.detector, runtime: f.runtime, threads: f.threads,
        minFacePx: f.minFace, minScore: f.minScore, smoothing: f.smoothing, window: f.window, buckets: f.buckets,
        width: f.size?.width, height: f.size?.height, overlay: f.overlay,
        onReport: (r) => process.stderr.write(`agekit kiosk: page error ${r.code}: ${r.message}${r.hint ? `; ${r.hint}` : ''}\n`),
      });
      const c = server.config;
      process.stderr.write(`agekit kiosk: serving ${server.url} (runtime ${c.runtime}, ${c.threads} threads, ${c.detectorName} + ${c.modelName}); open it in Chromium, Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        const stop = (sig: NodeJS.Signals) => {
          process.stderr.write(`agekit kiosk: ${sig}, stopping\n`);
          process.off('SIGINT', stop); process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}
