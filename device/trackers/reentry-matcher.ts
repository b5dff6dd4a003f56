/**
 * Re-entry: tracks whose visitor went out of sight wait here, with their appearance signature,
 * for up to `reentryMs` after they were last seen; a new face close enough in appearance takes
 * the waiting track back (same id, same age smoother) instead of starting a new one. Signatures
 * live only in this pool and in live tracks, in memory: dropped with the track, never written.
 *
 * @example
 * const pool = new ReentryPool<Track>({ reentryMs: 5000 });
 * pool.add(track, track.signature, track.lastMs);  // out of sight
 * const back = pool.match(tMs, [sigOfNewFace]);   // [track] when it is the same visitor
 * for (const gone of pool.expire(tMs)) end(gone);  // away too long: the visit is over
 */
import { UsageError } from '../../core/errors.ts';
import { DEFAULT_REENTRY_THRESHOLD, signatureDistance, type AppearanceSignature } from './appearance-signature.ts';

export interface ReentryOptions {
  /** A visitor out of sight for up to this long comes back under the same track; 0 turns re-entry off. Default 5000 ms. */
  reentryMs?: number;
  /** Largest signature distance (0..1) of a re-entry. Default {@link DEFAULT_REENTRY_THRESHOLD}. */
  threshold?: number;
}

export const DEFAULT_REENTRY: Required<ReentryOptions> = { reentryMs: 5000, threshold: DEFAULT_REENTRY_THRESHOLD };

interface Waiting<T> { item: T; signature: AppearanceSignature; lastMs: number }

export class ReentryPool<T> {
  private waiting: Array<Waiting<T>> = [];
  readonly reentryMs: number;
  readonly threshold: number;

  constructor(o: ReentryOptions = {}) {
    this.reentryMs = o.reentryMs ?? DEFAULT_REENTRY.reentryMs;
    this.threshold = o.threshold ?? DEFAULT_REENTRY.threshold;
    if (!(this.reentryMs >= 0 && Number.isFinite(this.reentryMs))) throw new UsageError(`re-entry time must be 0 (off) or more ms (got ${this.reentryMs})`, { where: 'reentry.reentryMs', hint: 'e.g. 5000' });
    if (!(this.threshold >= 0 && this.threshold <= 1)) throw new UsageError(`re-entry threshold must be within 0..1 (got ${this.threshold})`, { where: 'reentry.threshold', hint: `the measured default is ${DEFAULT_REENTRY_THRESHOLD}` });
  }

  /** Tracks waiting now. */
  get size(): number {
    return this.waiting.length;
  }

  /** A track went out of sight; it was last seen at `lastMs`. */
  add(item: T, signature: AppearanceSignature, lastMs: number): void {
    this.waiting.push({ item, signature, lastMs });
  }

  /**
   * The waiting track each face takes back (undefined: none), one-to-one, closest pairs first;
   * matched tracks leave the pool. Faces without a signature match nothing.
   */
  match(tMs: number, signatures: Array<AppearanceSignature | undefined>): Array<T | undefined> {
    const out = new Array<T | undefined>(signatures.length);
    const pairs: Array<[number, number, number]> = [];
    this.waiting.forEach((w, wi) => {
      if (tMs - w.lastMs > this.reentryMs) return;
      signatures.forEach((s, fi) => {
        if (!s) return;
        const d = signatureDistance(w.signature, s);
        if (d <= this.threshold) pairs.push([d, wi, fi]);
      });
    });
    pairs.sort((a, b) => a[0] - b[0]);
    const taken = new Set<number>();
    for (const [, wi, fi] of pairs) {
      if (taken.has(wi) || out[fi] !== undefined) continue;
      taken.add(wi);
      out[fi] = this.waiting[wi].item;
    }
    if (taken.size) this.waiting = this.waiting.filter((_, wi) => !taken.has(wi));
    return out;
  }

  /** Remove and return the tracks out of sight for longer than `reentryMs` at `tMs`: their visits are over. */
  expire(tMs: number): T[] {
    const gone = this.waiting.filter((w) => tMs - w.lastMs > this.reentryMs);
    if (gone.length) this.waiting = this.waiting.filter((w) => tMs - w.lastMs <= this.reentryMs);
    return gone.map((w) => w.item);
  }

  /** Remove and return every waiting track (the run is over). */
  drain(): T[] {
    const all = this.waiting.map((w) => w.item);
    this.waiting = [];
    return all;
  }
}
