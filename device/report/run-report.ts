/**
 * The `--report <file.json>` of `agekit run`: fps, frames, faces, per-stage p50/p95/max ms,
 * tracks (count, dwell, per bucket), the source's health, the models and the machine.
 *
 * @example
 * await writeFileAtomic('report.json', JSON.stringify(buildRunReport({ ... }), null, 2));
 */
import type { EndedTrack, SourceHealth, Stage } from '../stages.ts';
import type { LatencySummary } from '../sinks/latency-stats.ts';
import type { MachineInfo } from './machine-info.ts';
import type { StabilitySummary } from '../sinks/stability-stats.ts';
import type { OutputHealth } from '../sinks/output-health.ts';
import type { MqttStats } from '../sinks/mqtt-sink.ts';

export interface RunReport {
  fps: number;
  frames: number;
  faces: number;
  wall_s: number;
  stages: Record<Stage | 'total', { p50_ms: number; p95_ms: number; max_ms: number; mean_ms: number }>;
  tracks: { count: number; mean_dwell_s: number; by_bucket: Record<string, number>; list: Array<{ track: number; dwell_s: number; age_smoothed: number | null; bucket: string | null }> };
  source: { spec: string; bad_frames: number; restarts: number; stalls: number; dropped: number; last_problem?: string };
  models: { detector: string; estimator: string | null };
  machine: MachineInfo;
  /**
   * Steadiness of the shown age per track after warm-up (absent without tracking): spread of
   * age_smoothed (years) and bucket flips per minute of tracked time.
   */
  stability?: {
    warmup_estimates: number; tracks: number; bucket_flips_per_minute: number; median_age_sd: number; max_age_sd: number;
    list: Array<{ track: number; frames: number; duration_s: number; age_sd: number; age_range: number; bucket_flips: number }>;
  };
  /** Outputs that write to disk, with what the disk refused (agekit run adds it). */
  outputs?: OutputHealth[];
  /** MQTT delivery: sent, dropped (queue full), undelivered at exit, outages (agekit run adds it with --mqtt). */
  mqtt?: MqttStats;
  /** Why the run stopped early, when it did (a source that failed mid-run). */
  stopped_by?: string;
}

const r = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

export function buildRunReport(a: {
  latency: LatencySummary; wallMs: number; frames: number; tracks: EndedTrack[]; sourceSpec: string; health: SourceHealth;
  detector: string; estimator?: string; machine: MachineInfo; stability?: StabilitySummary;
}): RunReport {
  const st = a.stability;
  const stages = {} as RunReport['stages'];
  for (const [k, s] of Object.entries(a.latency.stages)) stages[k as Stage] = { p50_ms: r(s.p50Ms, 3), p95_ms: r(s.p95Ms, 3), max_ms: r(s.maxMs, 3), mean_ms: r(s.meanMs, 3) };
  const byBucket: Record<string, number> = {};
  for (const t of a.tracks) if (t.bucket) byBucket[t.bucket] = (byBucket[t.bucket] ?? 0) + 1;
  const dwell = a.tracks.reduce((s, t) => s + t.dwellMs, 0);
  return {
    fps: r(a.wallMs > 0 ? (a.frames * 1000) / a.wallMs : 0), frames: a.frames, faces: a.latency.faces, wall_s: r(a.wallMs / 1000),
    stages,
    tracks: {
      count: a.tracks.length, mean_dwell_s: a.tracks.length ? r(dwell / a.tracks.length / 1000) : 0, by_bucket: byBucket,
      list: a.tracks.map((t) => ({ track: t.track, dwell_s: r(t.dwellMs / 1000), age_smoothed: t.ageSmoothed === undefined ? null : r(t.ageSmoothed, 1), bucket: t.bucket ?? null })),
    },
    source: { spec: a.sourceSpec, bad_frames: a.health.badFrames, restarts: a.health.restarts, stalls: a.health.stalls, dropped: a.health.dropped, last_problem: a.health.lastProblem },
    models: { detector: a.detector, estimator: a.estimator ?? null },
    machine: a.machine,
    ...(st ? {
      stability: {
        warmup_estimates: st.warmupEstimates, tracks: st.tracks, bucket_flips_per_minute: r(st.flipsPerMinute, 3), median_age_sd: r(st.medianAgeSd, 3), max_age_sd: r(st.maxAgeSd, 3),
        list: st.list.map((t) => ({ track: t.track, frames: t.frames, duration_s: r(t.durationMs / 1000), age_sd: r(t.ageSd, 3), age_range: r(t.ageRange, 2), bucket_flips: t.bucketFlips })),
      },
    } : {}),
  };
}
