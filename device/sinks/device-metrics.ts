/**
 * The run's metrics in the Prometheus text format, for GET /metrics on `agekit run --http`.
 * Its own prom-client Registry (not the global one), so two runs in one process (tests, a
 * library user) never share or clash over counters. Counters and the latency histogram are fed
 * by `write` per frame; gauges that mirror state (FPS, source health, HTTP drops, temperature)
 * are read at scrape time, so a scrape always sees the current value.
 *
 * @example
 * const metrics = new DeviceMetrics({ stats, deviceId: 'door1' });
 * metrics.write(result);
 * const text = await metrics.render();
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STAGES, type FrameResult, type Sink, type SourceHealth } from '../stages.ts';
import type { LatencyStats } from './latency-stats.ts';
import { cpuTemperature } from '../report/machine-info.ts';

export interface DeviceMetricsOptions {
  stats: LatencyStats;
  /** Added as the `device_id` label on every metric when given. */
  deviceId?: string;
  /** The source's health counters, read at scrape time. */
  health?: () => SourceHealth | undefined;
  /** Frames or messages the HTTP server did not send to slow clients (SSE, MJPEG, WebSocket). */
  droppedHttpFrames?: () => number;
  /** Connected streaming clients. */
  httpClients?: () => number;
  /** CPU temperature in degrees C; default read from /sys/class/thermal (absent when the machine does not expose it). */
  temperature?: () => Promise<number | undefined>;
}

/** Histogram buckets in seconds: 1 ms to 2.5 s, covering a Pi's detector and a PC's crop. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class DeviceMetrics implements Sink {
  readonly registry = new Registry();
  private readonly frames: Counter;
  private readonly facesSeen: Counter;
  private readonly tracksStarted: Counter;
  private readonly latency: Histogram<'stage'>;
  private readonly facesLast: Gauge;
  private readonly tracksLive: Gauge;
  /** Track ids are 1-based and never reused, so a new track is an id above the highest seen. */
  private maxTrack = 0;
  /** Tracks seen and not ended: a face hidden for a few frames is still a live track. */
  private readonly live = new Set<number>();

  constructor(private readonly o: DeviceMetricsOptions) {
    if (o.deviceId) this.registry.setDefaultLabels({ device_id: o.deviceId });
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'agekit_' });
    this.frames = new Counter({ name: 'agekit_frames_total', help: 'Frames processed by the pipeline.', registers });
    this.facesSeen = new Counter({ name: 'agekit_faces_total', help: 'Faces detected, summed over frames.', registers });
    this.tracksStarted = new Counter({ name: 'agekit_tracks_started_total', help: 'Tracks started (new track ids).', registers });
    this.latency = new Histogram({ name: 'agekit_stage_latency_seconds', help: 'Time per frame spent in each pipeline stage (and in total).', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers });
    this.facesLast = new Gauge({ name: 'agekit_faces', help: 'Faces in the last frame.', registers });
    this.tracksLive = new Gauge({ name: 'agekit_tracks_live', help: 'Tracks started and not ended (a face missed for a few frames stays live).', registers });
    const stats = o.stats;
    new Gauge({ name: 'agekit_fps', help: 'Frames per second over the last 3 s.', registers, collect() { this.set(stats.summary().recentFps); } });
    const health = o.health;
    const fromHealth = (name: string, help: string, key: keyof Omit<SourceHealth, 'lastProblem'>) =>
      new Counter({ name, help, registers, collect() { const h = health?.(); if (h) { this.reset(); this.inc(h[key]); } } });
    fromHealth('agekit_source_restarts_total', 'Times the source producer (ffmpeg, rpicam-vid) was restarted.', 'restarts');
    fromHealth('agekit_source_stalls_total', 'Times no frame arrived within the stall timeout.', 'stalls');
    fromHealth('agekit_source_bad_frames_total', 'Frames dropped because they could not be decoded.', 'badFrames');
    fromHealth('agekit_source_dropped_frames_total', 'Live frames dropped because the pipeline was busy.', 'dropped');
    const dropped = o.droppedHttpFrames;
    new Counter({ name: 'agekit_http_dropped_frames_total', help: 'Frames or messages not sent to a slow HTTP client (its buffer was full).', registers, collect() { this.reset(); this.inc(dropped?.() ?? 0); } });
    const clients = o.httpClients;
    new Gauge({ name: 'agekit_http_clients', help: 'Streaming HTTP and WebSocket clients connected.', registers, collect() { this.set(clients?.() ?? 0); } });
    const temperature = o.temperature ?? (() => cpuTemperature());
    // Registered only where the machine has thermal zones: a gauge stuck at 0 would read as a cold CPU.
    void temperature().catch(() => undefined).then((c) => {
      if (c === undefined) return;
      this.registry.registerMetric(new Gauge({ name: 'agekit_cpu_temperature_celsius', help: 'Highest CPU/SoC thermal zone temperature.', registers: [], async collect() { const v = await temperature(); if (v !== undefined) this.set(v); } }));
    });
  }

  write(r: FrameResult): void {
    this.frames.inc();
    this.facesSeen.inc(r.faces.length);
    this.facesLast.set(r.faces.length);
    for (const f of r.faces) this.live.add(f.track);
    for (const e of r.ended) this.live.delete(e.track);
    this.tracksLive.set(this.live.size);
    const fresh = r.faces.filter((f) => f.track > this.maxTrack);
    if (fresh.length) {
      this.tracksStarted.inc(fresh.length);
      this.maxTrack = Math.max(...fresh.map((f) => f.track));
    }
    for (const s of [...STAGES, 'total'] as const) this.latency.observe({ stage: s }, r.stageMs[s] / 1000);
  }

  /** The scrape body. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async close(): Promise<void> {}
}
