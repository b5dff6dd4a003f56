/**
 * The audience events of a run (plain data, camelCase) and their one wire form (snake_case, with
 * the envelope), which every sink sends as is: `track_start`, `track_update`, `track_end` and
 * `aggregate`. README "For signage integrators" documents the wire form field by field.
 *
 * @example
 * for (const e of events) process.stdout.write(JSON.stringify(eventRecord(e)) + '\n');
 */
import type { TrackedFace } from '../stages.ts';

export type AudienceEventType = 'track_start' | 'track_update' | 'track_end' | 'aggregate';
export const AUDIENCE_EVENT_TYPES: readonly AudienceEventType[] = ['track_start', 'track_update', 'track_end', 'aggregate'];

interface EventBase {
  /** `<device_id>-<boot id>-<sequence>`, unique: a collector drops a message whose id it has. */
  eventId: string;
  deviceId: string;
  /** Wall-clock time of the frame the event comes from (capture time), epoch ms. */
  epochMs: number;
  /** The same frame on the pipeline's frame clock, ms (a file's media time, a camera's monotonic clock). */
  tMs: number;
}

/** A face seen for the first time. */
export interface TrackStartEvent extends EventBase, Pick<TrackedFace, 'track' | 'box' | 'age' | 'ageSmoothed' | 'bucket'> {
  type: 'track_start';
}

/** A live track, at most once per track every `updateMs`. */
export interface TrackUpdateEvent extends EventBase, Pick<TrackedFace, 'track' | 'box' | 'age' | 'ageSmoothed' | 'bucket' | 'dwellMs'> {
  type: 'track_update';
}

/** A track that ended: the person left (unseen for the tracker's `maxMissedMs`) or the run stopped. */
export interface TrackEndEvent extends EventBase {
  type: 'track_end';
  track: number;
  /** First seen to last seen, ms. */
  dwellMs: number;
  /** The final smoothed age. */
  ageSmoothed?: number;
  /** Standard deviation of the smoothed age over the track's frames after warm-up, years; undefined with fewer than 2 such frames. */
  ageSd?: number;
  /** Time the face was turned to the screen, ms: the frame-to-frame time after each attentive frame; at most dwellMs. */
  attentionMs: number;
  /** Frames of the track that had an age estimate. */
  ageEstimates: number;
  bucket?: string;
  /** Wall-clock time of the first and the last frame the face was seen on, epoch ms. */
  firstEpochMs: number;
  lastEpochMs: number;
}

/** What one aggregation interval saw. */
export interface AggregateEvent extends EventBase {
  type: 'aggregate';
  /** The interval on the frame clock, ms: [fromTMs, tMs). */
  fromTMs: number;
  /** The interval on the wall clock, epoch ms. */
  fromEpochMs: number;
  toEpochMs: number;
  /** Frames processed in the interval. */
  frames: number;
  /** Opportunity to see: tracks in view at some time in the interval, or ended in it. */
  ots: number;
  /** Tracks that ended in the interval: each visit counted once, in the interval its track_end is in. */
  impressions: number;
  /** Those tracks with attention of at least the `watcherMs` threshold (and above 0). */
  watchers: number;
  /** Mean dwell of those tracks, ms; undefined without any. */
  meanDwellMs?: number;
  /** Mean attention of those tracks, ms; undefined without any. */
  meanAttentionMs?: number;
  /** Those tracks by final age bucket (every configured bucket, zeros included; `unknown` when a track had no age). */
  byBucket: Record<string, number>;
  /** Tracks alive at the end of the interval. */
  active: number;
}

export type AudienceEvent = TrackStartEvent | TrackUpdateEvent | TrackEndEvent | AggregateEvent;

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const opt = (v: number | undefined, round: (v: number) => number) => (v === undefined ? null : round(v));
const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** The wire form of one event: envelope first (`event`, `event_id`, `time`, `epoch_ms`, `device_id`, `t_ms`), then its fields. */
export function eventRecord(e: AudienceEvent): Record<string, unknown> {
  const head = { event: e.type, event_id: e.eventId, time: iso(e.epochMs), epoch_ms: Math.round(e.epochMs), device_id: e.deviceId, t_ms: r2(e.tMs) };
  switch (e.type) {
    case 'track_start':
    case 'track_update':
      return {
        ...head, track: e.track, box: [r1(e.box.x), r1(e.box.y), r1(e.box.w), r1(e.box.h)], score: r3(e.box.score),
        age: opt(e.age, r1), age_smoothed: opt(e.ageSmoothed, r1), bucket: e.bucket ?? null,
        ...(e.type === 'track_update' ? { dwell_s: r2(e.dwellMs / 1000) } : {}),
      };
    case 'track_end':
      return {
        ...head, track: e.track, dwell_s: r2(e.dwellMs / 1000),
        attention_s: r2(e.attentionMs / 1000),
        age_smoothed: opt(e.ageSmoothed, r1), age_sd: opt(e.ageSd, r2), age_estimates: e.ageEstimates, bucket: e.bucket ?? null,
        first_seen: iso(e.firstEpochMs), last_seen: iso(e.lastEpochMs),
      };
    case 'aggregate':
      return {
        ...head, from: iso(e.fromEpochMs), to: iso(e.toEpochMs), interval_s: r2((e.tMs - e.fromTMs) / 1000), frames: e.frames,
        ots: e.ots, impressions: e.impressions, watchers: e.watchers, mean_dwell_s: opt(e.meanDwellMs === undefined ? undefined : e.meanDwellMs / 1000, r2),
        mean_attention_s: opt(e.meanAttentionMs === undefined ? undefined : e.meanAttentionMs / 1000, r2), by_bucket: e.byBucket, active: e.active,
      };
  }
}
