/**
 * What `agekit run` does, given parsed options: open the models and the source, wire the sinks,
 * run until the source ends or the signal aborts, then print the latency table and write the
 * report. Status goes to `io.stderr`, data to `io.stdout`; no process handlers here.
 *
 * @example
 * await runDevice({ source: 'file:walk.mp4', model: 'student.tflite' }, signal, { stdout: process.stdout, stderr: process.stderr });
 */
import type { Writable } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '../../core/atomic-file.ts';
import type { RuntimeName } from '../../core/runtime/model-runner.ts';
import { BlazeFaceDetector } from '../detectors/blazeface-detector.ts';
import { AgeEstimator } from '../estimators/age-estimator.ts';
import { StabilityStats } from '../sinks/stability-stats.ts';
import { createPipeline, defaultDetectorPath, defaultStudentPath, shippedModelsDir, type PipelineSummary } from '../pipeline.ts';
import { isDegradableOutput } from '../sinks/output-health.ts';
import type { EndedTrack, FrameResult, Sink } from '../stages.ts';
import { LatencyStats, formatLatencyTable } from '../sinks/latency-stats.ts';
import { StatusLineSink } from '../sinks/status-line-sink.ts';
import { JsonLinesSink } from '../sinks/json-lines-sink.ts';
import { EventsFileSink } from '../sinks/events-file-sink.ts';
import { checkDeviceId, defaultDeviceId } from '../events/event-envelope.ts';
import { HttpSink, isWildcardHost, parseListen, readHttpToken } from '../sinks/http-sink.ts';
import { MqttSink } from '../sinks/mqtt-sink.ts';
import { CalibrationCollector } from '../sinks/calibration-collector.ts';
import { SaveFramesSink } from '../sinks/save-frames-sink.ts';
import { describeMachine, formatMachine } from '../report/machine-info.ts';
import { buildRunReport, type RunReport } from '../report/run-report.ts';
import { UsageError } from '../../core/errors.ts';
import { redactCredentials, redactJson } from '../../core/redact.ts';
import type { ModelRunner } from '../../core/runtime/model-runner.ts';
import { DEFAULT_AGE_SMOOTHER } from '../trackers/age-smoother.ts';

export interface RunDeviceOptions {
  source: string;
  /** Age model; default the shipped student. */
  model?: string;
  detector?: string;
  runtime?: RuntimeName;
  detectorRuntime?: RuntimeName;
  threads?: number;
  delegate?: string;
  size?: { width: number; height: number };
  fps?: number;
  loop?: boolean;
  minFacePx?: number;
  minScore?: number;
  /**
   * Link faces across frames into tracks. Default true, except for `images:` sources, whose
   * photos are unrelated: there each photo's faces are their own (true links them anyway).
   */
  track?: boolean;
  smoothing?: 'median' | 'exponential';
  window?: number;
  buckets?: string;
  /** Years past a bucket's range before a track changes bucket (0: off). Default 2. */
  bucketHold?: number;
  /** A visitor out of sight for up to this long keeps its track (re-entry, by appearance signature held in memory only); 0: off. Default 5000. */
  reentryMs?: number;
  /** JSON lines file; default stdout. */
  out?: string;
  /** Audience events only (track_start, track_update, track_end, aggregate), as JSON lines. */
  eventsOut?: string;
  /** `device_id` of every line and the prefix of event ids. Default: the host name. */
  deviceId?: string;
  /** Least time between two track_update events of one track, ms; 0: none. Default 1000. */
  updateMs?: number;
  /** Largest |yaw| proxy of an attentive face (see device/attention/head-turn.ts). Default 0.3. */
  attentionYaw?: number;
  /** Least attention of a visit to count as a watcher, ms. Default 500. */
  watcherMs?: number;
  /** Aggregation interval, ms. Default 60000. */
  aggregateMs?: number;
  report?: string;
  http?: string;
  /** Token required on every HTTP endpoint but /healthz. */
  httpToken?: string;
  /** File whose first line is the HTTP token. */
  httpTokenFile?: string;
  /** Host header names accepted besides the bound address. */
  httpAllowHosts?: string[];
  preview?: boolean;
  mqtt?: string;
  collectCalibration?: string;
  samples?: number;
  saveFrames?: string;
  maxFrames?: number;
  /** A camera or stream that gives no frame this long after the start stops the run with the reason (ms; 0: wait forever). Default 30000. */
  openTimeoutMs?: number;
  /** Live status line. Default true. */
  status?: boolean;
  /** Estimate ages. Default true. */
  ages?: boolean;
  /** Called once the HTTP server listens (tests use the port). */
  onListening?: (url: string) => void;
}

/** One line describing a runner: runtime and threads. */
export function describeRunner(r: ModelRunner & { backend?: string }): string {
  if (r.runtime === 'tfjs') return `tfjs (${r.backend ?? 'wasm'} backend)`;
  if (r.runtime === 'tflite') return `tflite (tfjs-tflite-node, native, ${r.accelerator ?? `${r.threads} thread${r.threads === 1 ? '' : 's'}`})`;
  return `tflite-wasm (@tensorflow/tfjs-tflite WASM, ${r.threads} thread${r.threads === 1 ? '' : 's'})`;
}

export async function runDevice(o: RunDeviceOptions, signal: AbortSignal, io: { stdout: Writable; stderr: Writable & { isTTY?: boolean } }): Promise<RunReport> {
  // Every line goes to the journal: no credentials from --source or --mqtt in it.
  const say = (line: string) => io.stderr.write(`agekit run: ${redactCredentials(line)}\n`);
  const deviceId = checkDeviceId(o.deviceId ?? defaultDeviceId());
  if (o.preview && !o.http) throw new UsageError('--preview needs --http', { where: '--preview', hint: 'add --http 127.0.0.1:8080' });
  if (o.samples !== undefined && o.collectCalibration === undefined && o.samples !== 300) say('--samples has no effect without --collect-calibration');

  if (o.report) {
    const stale = await removeStaleTempFiles(dirname(resolve(o.report)));
    if (stale.length) say(`removed ${stale.length} temp file${stale.length > 1 ? 's' : ''} left by an interrupted write: ${stale.join(', ')}`);
  }
  const detectorPath = o.detector ?? defaultDetectorPath();
  const detector = await BlazeFaceDetector.create({ modelPath: detectorPath, runtime: o.detectorRuntime, threads: o.threads, minFacePx: o.minFacePx, minScore: o.minScore });
  say(`detector ${detectorPath}: ${describeRunner(detector.modelRunner)}`);
  let estimator: AgeEstimator | undefined;
  const modelPath = o.ages === false ? undefined : o.model ?? defaultStudentPath();
  if (modelPath) {
    estimator = await AgeEstimator.create({ modelPath, runtime: o.runtime, threads: o.threads, delegate: o.delegate });
    const m = estimator.meta;
    say(`age model ${modelPath}: ${m.net} ${m.inputSize[1]}x${m.inputSize[0]} ${m.preprocessing}, crop margin ${m.crop.margin}${m.quantization ? `, ${m.quantization.mode}` : ''}${m.ageCalibration ? `, ${m.ageCalibration.kind} calibration` : ''}${modelPath.endsWith('.tflite') ? (m.weightsSha256 ? ', weights checksum verified' : ', weights unverified (no checksum: converted by agekit 0.1)') : ''}; ${describeRunner(estimator.modelRunner)}${o.delegate ? `, delegate ${o.delegate}` : ''}`);
  } else if (o.ages !== false) {
    say(`no age model: none given and no student.tflite in ${shippedModelsDir()}; detecting and tracking only (give --model <student.tflite>)`);
  } else say('--no-ages: detecting and tracking only');

  let starts = 0;
  const track = o.track ?? !o.source.startsWith('images:');
  // The same facade a library user calls: the models loaded above, the source and tracker from the flags.
  const sinks: Sink[] = [];
  const pipeline = await createPipeline({
    source: o.source, detector, estimator: estimator ?? null, track, sinks,
    sourceOptions: {
      size: o.size, fps: o.fps, loop: o.loop, openTimeoutMs: o.openTimeoutMs,
      // The first start is routine; restarts, stalls, bad frames and the end are worth a line.
      onEvent: (e) => { if (e.kind !== 'started' || starts++ > 0) say(`${e.source}: ${e.message}`); },
    },
    trackerOptions: { smoothing: { method: o.smoothing, window: o.window }, buckets: o.buckets, bucketHoldYears: o.bucketHold, reentry: { reentryMs: o.reentryMs } },
    events: { deviceId, updateMs: o.updateMs, aggregateMs: o.aggregateMs, warmupEstimates: o.window, watcherMs: o.watcherMs, attention: { maxYaw: o.attentionYaw } },
  });
  const { source } = pipeline;
  if (!track) say(o.source.startsWith('images:') ? 'images: each photo\'s faces are its own (no tracking across photos; --track links them)' : 'no tracking: each frame\'s faces are their own');
  const stability = new StabilityStats({ warmupEstimates: o.window ?? DEFAULT_AGE_SMOOTHER.window });
  const stats = new LatencyStats();
  const ended: EndedTrack[] = [];
  let tracksEnded = 0;
  const trackLog: Sink = {
    write(r: FrameResult) { for (const t of r.ended) { tracksEnded++; if (ended.length < 100_000) ended.push(t); } },
    async close() {},
  };
  sinks.push(stats, trackLog, stability);
  const opened: Sink[] = [];
  const outputsHealth = () => opened.filter(isDegradableOutput).map((sink) => sink.outputHealth());
  let mqtt: MqttSink | undefined;
  try {
    const json = o.out ? await JsonLinesSink.toFile(o.out, { onEvent: say, deviceId }) : JsonLinesSink.toStream(io.stdout, { deviceId });
    sinks.push(json); opened.push(json);
    say(`frames as JSON lines to ${o.out ? resolve(o.out) : 'stdout'} (device_id ${deviceId})`);
    if (o.eventsOut) {
      const events = await EventsFileSink.open(o.eventsOut, { onEvent: say });
      sinks.push(events); opened.push(events);
      say(`audience events as JSON lines to ${resolve(o.eventsOut)}`);
    }
    if (o.http) {
      const { host, port } = parseListen(o.http);
      const token = await readHttpToken(o);
      if (isWildcardHost(host) && !token) say(`warning: --http ${o.http} serves every network interface without a token: anyone on the network can read /status, /events${o.preview ? ' and /preview (faces)' : ''}; add --http-token-file, or bind 127.0.0.1`);
      const http = await HttpSink.create({
        host, port, stats, deviceId, preview: o.preview, token, allowedHosts: o.httpAllowHosts,
        describe: () => ({ source: redactCredentials(o.source), health: source.health, models: { detector: detectorPath, estimator: modelPath ?? null }, outputs: outputsHealth(), mqtt: mqtt?.stats() }),
      });
      sinks.push(http); opened.push(http);
      say(`HTTP on ${http.url}: /status /events /healthz /metrics /faces (WebSocket)${o.preview ? ' /preview' : ''}`);
      o.onListening?.(http.url);
    }
    if (o.mqtt) {
      mqtt = await MqttSink.create({ url: o.mqtt, onEvent: (m) => say(m) });
      sinks.push(mqtt); opened.push(mqtt);
      say(`MQTT to ${o.mqtt} (topics ${mqtt.topic}/event, ${mqtt.topic}/aggregate)`);
    }
    if (o.collectCalibration) {
      if (!estimator) throw new UsageError('--collect-calibration needs an age model (its input size, crop and preprocessing)', { where: '--collect-calibration', hint: 'give --model' });
      const cal = new CalibrationCollector({
        dir: o.collectCalibration, samples: o.samples ?? 300, meta: estimator.meta, source: o.source,
        onDone: (n) => say(`calibration set complete: ${n} crops in ${resolve(o.collectCalibration!)}`), onEvent: say,
      });
      sinks.push(cal); opened.push(cal);
      say(`collecting ${o.samples ?? 300} face crops for calibration into ${resolve(o.collectCalibration)}`);
    }
    if (o.saveFrames) {
      const save = new SaveFramesSink({ dir: o.saveFrames, onEvent: say, deviceId });
      sinks.push(save); opened.push(save);
      say(`saving frames with faces to ${resolve(o.saveFrames)}`);
    }
    if (o.status !== false) { const st = new StatusLineSink(io.stderr, stats, () => source.health); sinks.push(st); opened.push(st); }

    const machinePromise = describeMachine({ runtime: estimator?.modelRunner.runtime ?? detector.modelRunner.runtime, threads: estimator?.modelRunner.threads ?? detector.modelRunner.threads });
    say(`source ${o.source}${o.maxFrames ? `, at most ${o.maxFrames} frames` : ''}; Ctrl-C stops`);
    const startedMs = Date.now();
    // A source that fails mid-run still gets its report: the frames already processed are not lost.
    let summary: PipelineSummary | undefined;
    let failure: unknown;
    try {
      summary = await pipeline.run(signal, {
        maxFrames: o.maxFrames,
        onFrameError: (err, frame) => say(`frame ${frame} skipped: ${(err as Error).message}`),
      });
    } catch (err) {
      failure = err;
    }
    // Tracks still alive at the end count as ended now: their track_end events and the last aggregate go to every sink.
    const last = await pipeline.finish();
    for (const t of last) { tracksEnded++; if (ended.length < 100_000) ended.push(t); }
    // Deliver what MQTT still holds now, so the report can say what was not delivered.
    const mqttStats = await mqtt?.finish();
    const latency = stats.summary();
    io.stderr.write((o.status !== false && io.stderr.isTTY ? '\n' : '') + formatLatencyTable(latency) + '\n');
    const h = summary?.source ?? { ...source.health };
    const frames = summary?.frames ?? latency.frames;
    const wallMs = summary?.wallMs ?? Date.now() - startedMs;
    // Labelled apart from the table's pipeline FPS: this one counts the source's start (ffmpeg, a camera opening) too.
    say(`${frames} frames in ${(wallMs / 1000).toFixed(1)} s (${(wallMs > 0 ? (frames * 1000) / wallMs : 0).toFixed(1)} frames/s incl. source start), ${latency.faces} faces, ${tracksEnded} tracks` +
      (h.dropped || h.badFrames || h.restarts ? `; source: ${h.dropped} dropped, ${h.badFrames} bad frames, ${h.restarts} restarts` : '') +
      (summary?.failedFrames ? `; ${summary.failedFrames} frames failed` : ''));
    for (const out of outputsHealth()) if (out.not_written > 0) say(`${out.output} ${out.path}: ${out.not_written} not written (${out.last_error ?? 'disk refused'}), ${out.written} written`);
    if (failure) say(`stopped early (${(failure as Error).message}); the report covers the ${frames} frames processed`);
    const machine = await machinePromise;
    say(`machine: ${formatMachine(machine)}`);
    const steady = stability.summary();
    if (track && estimator) say(`stability after ${steady.warmupEstimates} estimates per track: ${steady.tracks} tracks, age_smoothed sd median ${steady.medianAgeSd.toFixed(2)} y (max ${steady.maxAgeSd.toFixed(2)}), ${steady.flipsPerMinute.toFixed(2)} bucket flips per minute`);
    const report = redactJson({
      ...buildRunReport({
        latency, wallMs, frames, tracks: ended, sourceSpec: o.source, health: h,
        detector: detectorPath, estimator: modelPath, machine, stability: track ? steady : undefined,
      }),
      outputs: outputsHealth(),
      ...(mqttStats ? { mqtt: mqttStats } : {}),
      ...(failure ? { stopped_by: (failure as Error).message } : {}),
    });
    if (o.report) {
      try {
        await writeFileAtomic(o.report, JSON.stringify(report, null, 2) + '\n', { what: 'the report' });
        say(`report written to ${resolve(o.report)}`);
      } catch (err) {
        if (!failure) throw err;
        say((err as Error).message);
      }
    }
    if (failure) throw failure;
    return report;
  } finally {
    await source.close();
    for (const s of opened) await s.close().catch((err) => say(`closing an output failed: ${(err as Error).message}`));
    await detector.close();
    await estimator?.close();
  }
}
