/**
 * `agekit run`: the device runtime on a camera, video, stream or folder, with live speed
 * reporting and the outputs asked for (JSON lines, report, HTTP, MQTT, calibration crops).
 * The action only parses flags; runDevice does the work; only here are signal handlers installed.
 *
 * @example
 * agekit run --model samples/models/student.tflite --source v4l2:/dev/video0 --http 127.0.0.1:8080 --report run.json
 */
import { Command, Option } from 'commander';
import { RUNTIME_NAMES, type RuntimeName } from '../../core/runtime/model-runner.ts';
import { DEFAULT_AGE_BUCKETS } from '../trackers/age-buckets.ts';
import { DEFAULT_BUCKET_HOLD_YEARS } from '../trackers/bucket-hold.ts';
import { DEFAULT_REENTRY } from '../trackers/reentry-matcher.ts';
import { DEFAULT_AGE_SMOOTHER } from '../trackers/age-smoother.ts';
import { DEFAULT_AUDIENCE_EVENTS } from '../events/audience-events.ts';
import type { RunDeviceOptions } from './run-device.ts';
import { intFlag, numberFlag, sizeFlag, threadsFlag } from './cli-args.ts';
import { describeDefaultThreads } from '../../core/runtime/default-threads.ts';

interface RunFlags {
  model?: string; detector?: string; source: string; runtime?: RuntimeName; detectorRuntime?: RuntimeName; threads?: number; delegate?: string;
  size?: { width: number; height: number }; fps?: number; loop: boolean; minFace: number; minScore: number;
  attentionYaw: number; watcherS: number; reentryS: number;
  smoothing: 'median' | 'exponential'; window: number; buckets: string; bucketHold: number; out?: string; report?: string;
  http?: string; httpToken?: string; httpTokenFile?: string; httpAllowHost?: string[]; preview: boolean; mqtt?: string; mqttInterval?: number; collectCalibration?: string; samples: number;
  saveFrames?: string; maxFrames?: number; openTimeout: number; status: boolean; noAges: boolean; track?: boolean;
  eventsOut?: string; deviceId?: string; updateS: number; aggregateS?: number;
}

export function registerRun(program: Command): void {
  program.command('run')
    .description('run face detection, age estimation and tracking on a camera, video, stream or image folder, with speed reporting')
    // Also from AGEKIT_SOURCE: systemd splits $AGEKIT_ARGS at whitespace, so a gst: pipeline with spaces is given there.
    .addOption(new Option('--source <spec>', 'v4l2:/dev/video0 | webcam:/dev/video0 | file:<video> | rtsp://... | rpicam | gst:<pipeline> | images:<dir>').env('AGEKIT_SOURCE').makeOptionMandatory())
    .option('--model <file>', 'age model: .tflite, or a checkpoint folder with --runtime tfjs (default: the shipped student in samples/models)')
    .option('--detector <file>', 'face detector (default: samples/models/blazeface.tflite)')
    .addOption(new Option('--runtime <name>', 'age model runtime (default: tflite for .tflite files, tfjs for checkpoints)').choices([...RUNTIME_NAMES]))
    .addOption(new Option('--detector-runtime <name>', 'detector runtime (default: tflite for .tflite files)').choices([...RUNTIME_NAMES]))
    .option('--threads <n>', `TFLite interpreter threads (default: ${describeDefaultThreads()}; all cores stall when another process keeps one busy)`, threadsFlag('--threads'))
    .option('--delegate <library>', 'external TFLite delegate, e.g. /usr/lib/aarch64-linux-gnu/libedgetpu.so.1 (Coral)')
    .option('--size <WxH>', 'frame size (default 640x480 for cameras, native for files)', sizeFlag('--size'))
    .option('--fps <n>', 'camera frame rate (default 30) or resample a file', numberFlag('--fps', { min: 0.1 }))
    .option('--loop', 'play a file source again when it ends', false)
    .option('--min-face <px>', 'ignore faces smaller than this, in frame pixels', numberFlag('--min-face', { min: 0 }), 0)
    .option('--min-score <p>', 'minimum detector score', numberFlag('--min-score', { min: 0, max: 1 }), 0.5)
    .option('--track', 'images: link faces across photos into tracks (default: each photo\'s faces are their own; other sources always track)')
    .addOption(new Option('--smoothing <method>', 'per-track age smoothing').choices(['median', 'exponential']).default('median'))
    .option('--window <n>', 'estimates kept per track for the median', intFlag('--window', { min: 1 }), DEFAULT_AGE_SMOOTHER.window)
    .option('--buckets <spec>', 'age buckets', DEFAULT_AGE_BUCKETS)
    .option('--bucket-hold <years>', 'a track changes bucket only when its smoothed age is this far past the bucket (0: off)', numberFlag('--bucket-hold', { min: 0, max: 50 }), DEFAULT_BUCKET_HOLD_YEARS)
    .option('--reentry-s <s>', 'a visitor out of sight for up to this long keeps one track (appearance signature in memory only, dropped after it); its track_end comes this long after it left; 0: off', numberFlag('--reentry-s', { min: 0 }), DEFAULT_REENTRY.reentryMs / 1000)
    .option('--out <file>', 'write JSON lines to a file instead of stdout')
    .option('--events-out <file.jsonl>', 'write the audience events (track_start, track_update, track_end, aggregate) to this file as JSON lines')
    .option('--device-id <id>', 'device_id in every line and event id (default: the host name)')
    .option('--update-s <s>', 'least seconds between two track_update events of one track; 0: none', numberFlag('--update-s', { min: 0 }), DEFAULT_AUDIENCE_EVENTS.updateMs / 1000)
    .option('--aggregate-s <s>', `seconds per aggregate (opportunity to see, impressions, dwell, buckets) (default ${DEFAULT_AUDIENCE_EVENTS.aggregateMs / 1000})`, numberFlag('--aggregate-s', { min: 0.1 }))
    .option('--attention-yaw <proxy>', 'largest |yaw| proxy (nose offset from the eye midpoint / eye distance) of a face counted as turned to the screen', numberFlag('--attention-yaw', { min: 0 }), DEFAULT_AUDIENCE_EVENTS.attention.maxYaw)
    .option('--watcher-s <s>', 'least attention_s of a visit to count as a watcher in the aggregates', numberFlag('--watcher-s', { min: 0 }), DEFAULT_AUDIENCE_EVENTS.watcherMs / 1000)
    .option('--report <file.json>', 'write the speed and tracks report here on exit')
    .option('--http <host:port>', 'serve /status, /events, /healthz, /metrics (Prometheus), /faces (WebSocket) and /preview here; binds 127.0.0.1 unless a host is given')
    .option('--http-token <token>', 'require this token on every --http endpoint but /healthz (Authorization: Bearer, or ?token=); visible in ps: prefer --http-token-file')
    .option('--http-token-file <file>', 'read the --http token from this file (first line)')
    .option('--http-allow-host <name>', 'also accept this Host header name on --http (repeatable; default: only the bound address)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--preview', 'serve /preview (MJPEG with boxes and ages) on --http', false)
    .option('--mqtt <url>', 'publish the events on <topic>/event and the aggregates on <topic>/aggregate: mqtt://host:port/topic')
    // Kept so older configs still start: the aggregates are no longer MQTT's own.
    .option('--mqtt-interval <s>', 'old name of --aggregate-s', numberFlag('--mqtt-interval', { min: 0.1 }))
    .option('--collect-calibration <dir>', 'save face crops as a representative set for int8 calibration')
    .option('--samples <n>', 'crops to collect with --collect-calibration', intFlag('--samples', { min: 1 }), 300)
    .option('--save-frames <dir>', 'save frames with faces as JPEG (nothing is written to disk otherwise)')
    .option('--max-frames <n>', 'stop after this many frames', intFlag('--max-frames', { min: 1 }))
    .option('--open-timeout <s>', 'stop with the reason when a camera or stream gives no first frame in this many seconds (0: retry forever); one that worked and then vanished is always retried', numberFlag('--open-timeout', { min: 0 }), 30)
    .option('--no-status', 'no live status line on stderr')
    .option('--no-ages', 'detect and track only (no age model)')
    .action(async function (this: Command) {
      const f = this.opts<RunFlags & { ages: boolean }>();
      const aggregateS = f.aggregateS ?? f.mqttInterval;
      const options: RunDeviceOptions = {
        source: f.source, model: f.model, detector: f.detector, runtime: f.runtime, detectorRuntime: f.detectorRuntime,
        threads: f.threads, delegate: f.delegate, size: f.size, fps: f.fps, loop: f.loop, minFacePx: f.minFace, minScore: f.minScore,
        track: f.track, smoothing: f.smoothing, window: f.window, buckets: f.buckets, bucketHold: f.bucketHold, reentryMs: f.reentryS * 1000, out: f.out, report: f.report, http: f.http, preview: f.preview,
        httpToken: f.httpToken, httpTokenFile: f.httpTokenFile, httpAllowHosts: f.httpAllowHost,
        eventsOut: f.eventsOut, deviceId: f.deviceId, updateMs: f.updateS * 1000, attentionYaw: f.attentionYaw, watcherMs: f.watcherS * 1000, aggregateMs: aggregateS === undefined ? undefined : aggregateS * 1000,
        mqtt: f.mqtt, collectCalibration: f.collectCalibration, samples: f.samples,
        saveFrames: f.saveFrames, maxFrames: f.maxFrames, openTimeoutMs: f.openTimeout * 1000, status: f.status, ages: f.ages,
      };
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        // First Ctrl-C: stop cleanly and print the summary; second: leave at once.
        if (++signals > 1) process.exit(130);
        process.stderr.write(`\nagekit run: ${sig}, stopping\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        // Loaded here, not at the top: `agekit run --help` should not wait for the runtimes to load.
        const { runDevice } = await import('./run-device.ts');
        await runDevice(options, controller.signal, { stdout: process.stdout, stderr: process.stderr });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
