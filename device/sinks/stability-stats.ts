/**
 * How steady the shown age is: per track, the spread of age_smoothed over the track's life after
 * a warm-up (the first estimates fill the smoother's window), and how often its bucket changes,
 * per minute of tracked time. A person standing still should change bucket at most once a minute.
 *
 * @example
 * const stability = new StabilityStats({ warmupEstimates: 30 });
 * // ...as a sink of the pipeline...; then
 * const s = stability.summary(); // s.flipsPerMinute, s.medianAgeSd, s.tracks
 */
import type { FrameResult, Sink } from '../stages.ts';
import { withDefaults } from '../option-defaults.ts';
import { DEFAULT_AGE_SMOOTHER } from '../trackers/age-smoother.ts';

export interface StabilityStatsOptions {
  /** Estimates of a track ignored before its shown age counts (the smoother's window). Default 30. */
  warmupEstimates?: number;
  /** Keep per-track rows for at most this many tracks (totals count all). Default 10,000. */
  maxTracks?: number;
}

export const DEFAULT_STABILITY_STATS: Required<StabilityStatsOptions> = { warmupEstimates: DEFAULT_AGE_SMOOTHER.window, maxTracks: 10_000 };

/** One track's steadiness after warm-up. */
export interface TrackStability {
  track: number;
  /** Frames counted (after warm-up). */
  frames: number;
  /** Time from the first to the last counted frame, ms. */
  durationMs: number;
  /** Standard deviation and range (max - min) of age_smoothed over the counted frames, years. */
  ageSd: number;
  ageRange: number;
  /** Bucket changes between counted frames. */
  bucketFlips: number;
}

export interface StabilitySummary {
  warmupEstimates: number;
  /** Tracks that lived past warm-up (at least two counted frames). */
  tracks: number;
  /** Sum of bucket flips over those tracks per minute of their counted time. */
  flipsPerMinute: number;
  /** Median and largest per-track standard deviation of age_smoothed, years. */
  medianAgeSd: number;
  maxAgeSd: number;
  /** Per-track rows (up to maxTracks), longest first. */
  list: TrackStability[];
}

interface Running { estimates: number; frames: number; firstMs: number; lastMs: number; mean: number; m2: number; min: number; max: number; bucket?: string; flips: number }

export class StabilityStats implements Sink {
  private readonly o: Required<StabilityStatsOptions>;
  private readonly live = new Map<number, Running>();
  private readonly done: TrackStability[] = [];
  private flipsTotal = 0;
  private msTotal = 0;
  private tracksTotal = 0;

  constructor(options: StabilityStatsOptions = {}) {
    this.o = withDefaults(DEFAULT_STABILITY_STATS, options);
  }

  write(r: FrameResult): void {
    for (const f of r.faces) {
      let t = this.live.get(f.track);
      if (!t) { t = { estimates: 0, frames: 0, firstMs: 0, lastMs: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, flips: 0 }; this.live.set(f.track, t); }
      if (f.age !== undefined) t.estimates++;
      if (t.estimates <= this.o.warmupEstimates || f.ageSmoothed === undefined) continue;
      // Welford's running mean and variance: no per-frame history is kept.
      const a = f.ageSmoothed;
      if (t.frames === 0) t.firstMs = r.tMs;
      t.frames++;
      t.lastMs = r.tMs;
      const d = a - t.mean;
      t.mean += d / t.frames;
      t.m2 += d * (a - t.mean);
      t.min = Math.min(t.min, a); t.max = Math.max(t.max, a);
      if (t.bucket !== undefined && f.bucket !== t.bucket) t.flips++;
      t.bucket = f.bucket;
    }
    for (const e of r.ended) this.finish(e.track);
  }

  private finish(track: number): void {
    const t = this.live.get(track);
    if (!t) return;
    this.live.delete(track);
    if (t.frames < 2) return;
    const row: TrackStability = {
      track, frames: t.frames, durationMs: t.lastMs - t.firstMs, ageSd: Math.sqrt(t.m2 / (t.frames - 1)), ageRange: t.max - t.min, bucketFlips: t.flips,
    };
    this.tracksTotal++;
    this.flipsTotal += row.bucketFlips;
    this.msTotal += row.durationMs;
    if (this.done.length < this.o.maxTracks) this.done.push(row);
  }

  /** The figures so far; tracks still alive are counted as if they ended now. */
  summary(): StabilitySummary {
    for (const id of [...this.live.keys()]) this.finish(id);
    const sds = this.done.map((r) => r.ageSd).sort((a, b) => a - b);
    const mid = sds.length >> 1;
    return {
      warmupEstimates: this.o.warmupEstimates,
      tracks: this.tracksTotal,
      flipsPerMinute: this.msTotal > 0 ? this.flipsTotal / (this.msTotal / 60_000) : 0,
      medianAgeSd: sds.length === 0 ? 0 : sds.length % 2 ? sds[mid] : (sds[mid - 1] + sds[mid]) / 2,
      maxAgeSd: sds.length ? sds[sds.length - 1] : 0,
      list: [...this.done].sort((a, b) => b.durationMs - a.durationMs),
    };
  }

  async close(): Promise<void> {}
}
