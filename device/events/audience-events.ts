/**
 * Turns the pipeline's frame results into audience events, once per frame, so every sink sends
 * the same events with the same ids and times: `track_start` when a face appears, `track_update`
 * at most every `updateMs` per track, `track_end` with dwell, final smoothed age, its spread and
 * bucket and attention (time turned to the screen, {@link isAttentive}), and an `aggregate` at the end of each interval of `aggregateMs` on the frame clock (a
 * camera's real time, a file's media time, so a recording gives the same aggregates each run)
 * and at shutdown ({@link finish}). Nothing but counters and per-track numbers is kept: no image,
 * no face signature.
 *
 * @example
 * const events = new AudienceEvents({ deviceId: 'door1', aggregateMs: 60_000 });
 * for (const e of events.frame(result)) console.log(eventRecord(e));
 * events.finish(tracker.flush()); // the last track_end events and the last aggregate
 */
import type { EndedTrack, FrameResult } from '../stages.ts';
import { withDefaults } from '../option-defaults.ts';
import { UsageError } from '../../core/errors.ts';
import { parseAgeBuckets, type AgeBucket } from '../trackers/age-buckets.ts';
import { DEFAULT_AGE_SMOOTHER } from '../trackers/age-smoother.ts';
import { EventEnvelope } from './event-envelope.ts';
import { DEFAULT_ATTENTION, isAttentive, type AttentionOptions } from '../attention/head-turn.ts';
import type { AggregateEvent, AudienceEvent, TrackEndEvent } from './audience-event.ts';

export interface AudienceEventsOptions {
  /** Names the device in every event. Default: the host name. */
  deviceId?: string;
  /** Least time between two `track_update` events of one track, ms; 0 sends none. Default 1000. */
  updateMs?: number;
  /** Aggregation interval on the frame clock, ms. Default 60000 (one minute). */
  aggregateMs?: number;
  /** Age estimates of a track before its smoothed age counts towards `age_sd` (the smoother's window). Default 30. */
  warmupEstimates?: number;
  /** Age buckets (the tracker's), parsed or as a spec; every one appears in `by_bucket`. Default {@link DEFAULT_AGE_BUCKETS}. */
  buckets?: AgeBucket[] | string;
  /** When a face counts as turned to the screen (needs detector keypoints; without them no frame is attentive). Default {@link DEFAULT_ATTENTION}. */
  attention?: AttentionOptions;
  /** Least attention of an ended track to count as a watcher in the aggregate, ms. Default 500 (a glance of a few frames is not a watcher). */
  watcherMs?: number;
  /** Wall clock for results that carry no `epochMs` (hand-made ones), epoch ms. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_AUDIENCE_EVENTS: Required<Pick<AudienceEventsOptions, 'updateMs' | 'aggregateMs' | 'warmupEstimates' | 'watcherMs' | 'attention'>> = {
  updateMs: 1000, aggregateMs: 60_000, warmupEstimates: DEFAULT_AGE_SMOOTHER.window, watcherMs: 500, attention: DEFAULT_ATTENTION,
};

interface TrackState {
  firstEpochMs: number; lastEpochMs: number; lastUpdateT: number; estimates: number; n: number; mean: number; m2: number;
  /** Frame time of the track's last frame and whether it was attentive: the time to the next frame counts as that frame's. */
  lastT: number; lastAttentive: boolean; attentionMs: number;
}

interface Interval { fromTMs: number; fromEpochMs: number; frames: number; seen: Set<number>; ended: TrackEndEvent[] }

export class AudienceEvents {
  readonly envelope: EventEnvelope;
  private readonly o: typeof DEFAULT_AUDIENCE_EVENTS;
  private readonly bucketLabels: string[];
  private readonly now: () => number;
  private readonly tracks = new Map<number, TrackState>();
  private interval?: Interval;
  private last?: { tMs: number; epochMs: number; active: number };
  private finished = false;

  constructor(options: AudienceEventsOptions = {}) {
    this.envelope = new EventEnvelope({ deviceId: options.deviceId });
    this.o = withDefaults(DEFAULT_AUDIENCE_EVENTS, options);
    if (!(this.o.aggregateMs > 0)) throw new UsageError(`aggregation interval must be above 0 ms (got ${this.o.aggregateMs})`, { where: 'aggregateMs', hint: 'e.g. 60000 for one minute' });
    if (!(this.o.watcherMs >= 0)) throw new UsageError(`watcher threshold must be 0 or more ms (got ${this.o.watcherMs})`, { where: 'watcherMs', hint: 'e.g. 500' });
    if (!(this.o.updateMs >= 0)) throw new UsageError(`track_update interval must be 0 (none) or more ms (got ${this.o.updateMs})`, { where: 'updateMs', hint: 'e.g. 1000' });
    const buckets = typeof options.buckets === 'string' || options.buckets === undefined ? parseAgeBuckets(options.buckets) : options.buckets;
    this.bucketLabels = buckets.map((b) => b.label);
    this.now = options.now ?? Date.now;
  }

  /** The events of one processed frame, in order: aggregates of intervals that closed before it, starts, updates, ends. */
  frame(r: FrameResult): AudienceEvent[] {
    const epochMs = r.epochMs ?? this.now();
    const out: AudienceEvent[] = [];
    const base = () => ({ eventId: this.envelope.nextEventId(), deviceId: this.envelope.deviceId, epochMs, tMs: r.tMs });
    if (!this.interval) this.interval = this.newInterval(r.tMs, epochMs);
    const endT = this.interval.fromTMs + this.o.aggregateMs;
    if (r.tMs >= endT) {
      const closed = this.aggregate(endT, { tMs: r.tMs, epochMs }, this.last?.active ?? 0);
      out.push(closed);
      // Intervals without any frame (a camera that was down) send no aggregate: no data is not "nobody".
      const fromTMs = endT + Math.floor((r.tMs - endT) / this.o.aggregateMs) * this.o.aggregateMs;
      // Back to back, the next interval starts where this one ended on the wall clock too.
      this.interval = this.newInterval(fromTMs, fromTMs === endT ? closed.toEpochMs : epochMs - (r.tMs - fromTMs));
    }
    const iv = this.interval;
    iv.frames++;
    for (const f of r.faces) {
      iv.seen.add(f.track);
      let st = this.tracks.get(f.track);
      if (!st) {
        st = { firstEpochMs: epochMs, lastEpochMs: epochMs, lastUpdateT: r.tMs, estimates: 0, n: 0, mean: 0, m2: 0, lastT: r.tMs, lastAttentive: false, attentionMs: 0 };
        this.tracks.set(f.track, st);
        out.push({ ...base(), type: 'track_start', track: f.track, box: f.box, age: f.age, ageSmoothed: f.ageSmoothed, bucket: f.bucket });
      } else if (this.o.updateMs > 0 && r.tMs - st.lastUpdateT >= this.o.updateMs) {
        st.lastUpdateT = r.tMs;
        out.push({ ...base(), type: 'track_update', track: f.track, box: f.box, age: f.age, ageSmoothed: f.ageSmoothed, bucket: f.bucket, dwellMs: f.dwellMs });
      }
      st.lastEpochMs = epochMs;
      // Out of sight between a re-entry's frames: that time is dwell, not attention.
      if (st.lastAttentive && !f.reentered) st.attentionMs += r.tMs - st.lastT;
      st.lastT = r.tMs;
      st.lastAttentive = isAttentive(f.box, this.o.attention);
      if (f.age !== undefined) st.estimates++;
      // Welford's running variance of the shown age after warm-up: no per-frame history is kept.
      if (st.estimates > this.o.warmupEstimates && f.ageSmoothed !== undefined) {
        st.n++;
        const d = f.ageSmoothed - st.mean;
        st.mean += d / st.n;
        st.m2 += d * (f.ageSmoothed - st.mean);
      }
    }
    for (const t of r.ended) out.push(this.trackEnd(t, base()));
    this.last = { tMs: r.tMs, epochMs, active: r.faces.length };
    return out;
  }

  /**
   * The run is over: `track_end` for the tracks still alive (the tracker's flush) and the
   * aggregate of the last, partial interval, both at the last frame's time. Empty when no frame
   * came; nothing more after the first call.
   */
  finish(ended: EndedTrack[]): AudienceEvent[] {
    if (this.finished || !this.last || !this.interval) return [];
    this.finished = true;
    const { tMs, epochMs } = this.last;
    const out: AudienceEvent[] = ended.map((t) => this.trackEnd(t, { eventId: this.envelope.nextEventId(), deviceId: this.envelope.deviceId, epochMs, tMs }));
    out.push(this.aggregate(Math.max(tMs, this.interval.fromTMs), { tMs, epochMs }, 0));
    return out;
  }

  private newInterval(fromTMs: number, fromEpochMs: number): Interval {
    return { fromTMs, fromEpochMs, frames: 0, seen: new Set(), ended: [] };
  }

  private trackEnd(t: EndedTrack, base: { eventId: string; deviceId: string; epochMs: number; tMs: number }): TrackEndEvent {
    const st = this.tracks.get(t.track);
    this.tracks.delete(t.track);
    const e: TrackEndEvent = {
      ...base, type: 'track_end', track: t.track, dwellMs: t.dwellMs, ageSmoothed: t.ageSmoothed, bucket: t.bucket,
      // Frames of the track span first seen to last seen, so this never passes dwell; the clamp covers a tracker on another clock.
      attentionMs: Math.min(st?.attentionMs ?? 0, t.dwellMs),
      ageSd: st && st.n >= 2 ? Math.sqrt(st.m2 / (st.n - 1)) : undefined, ageEstimates: st?.estimates ?? 0,
      firstEpochMs: st?.firstEpochMs ?? base.epochMs, lastEpochMs: st?.lastEpochMs ?? base.epochMs,
    };
    this.interval?.seen.add(t.track);
    this.interval?.ended.push(e);
    return e;
  }

  /**
   * The aggregate of the current interval, closing at `toTMs`. Its wall-clock end is mapped from
   * the frame `ref` (the first past the end, or the last one): for a camera that is the real end;
   * a file runs faster or slower than its media time, so there `from`/`to` are the wall-clock span
   * the interval's frames were processed in, back to back, while `interval_s` stays media time.
   */
  private aggregate(toTMs: number, ref: { tMs: number; epochMs: number }, active: number): AggregateEvent {
    const iv = this.interval!;
    const byBucket: Record<string, number> = Object.fromEntries(this.bucketLabels.map((l) => [l, 0]));
    let dwell = 0, attention = 0, watchers = 0;
    for (const e of iv.ended) {
      attention += e.attentionMs;
      if (e.attentionMs > 0 && e.attentionMs >= this.o.watcherMs) watchers++;
      const key = e.bucket ?? 'unknown';
      byBucket[key] = (byBucket[key] ?? 0) + 1;
      dwell += e.dwellMs;
    }
    return {
      eventId: this.envelope.nextEventId(), deviceId: this.envelope.deviceId, epochMs: ref.epochMs, tMs: toTMs, type: 'aggregate',
      fromTMs: iv.fromTMs, fromEpochMs: iv.fromEpochMs, toEpochMs: Math.max(iv.fromEpochMs, ref.epochMs - (ref.tMs - toTMs)), frames: iv.frames,
      ots: iv.seen.size, impressions: iv.ended.length, watchers, meanDwellMs: iv.ended.length ? dwell / iv.ended.length : undefined,
      meanAttentionMs: iv.ended.length ? attention / iv.ended.length : undefined, byBucket, active,
    };
  }
}
