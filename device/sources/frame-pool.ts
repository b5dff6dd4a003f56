/**
 * A small pool of equal-sized frame buffers, so a raw-frame source does not allocate (and the
 * garbage collector does not reclaim) ~1 MB per frame. A buffer goes back to the pool only by an
 * explicit release once its frame is done with; a buffer never released is simply collected, so
 * forgetting release costs speed, never correctness.
 *
 * @example
 * const pool = new FramePool(640 * 480 * 3);
 * const rgb = pool.acquire();   // fill it, hand it out as frame.rgb
 * pool.release(rgb);            // after the sinks ran: the next acquire() may return it
 */

export interface FramePoolOptions {
  /** Free buffers kept for reuse; more released buffers are left to the garbage collector. Default 4. */
  keep?: number;
}

export const DEFAULT_FRAME_POOL: Required<FramePoolOptions> = { keep: 4 };

export class FramePool {
  private readonly free: Uint8Array[] = [];
  /** Buffers handed out and not yet released: only these may come back (a double or foreign release is ignored). */
  private readonly inUse = new WeakSet<Uint8Array>();
  private readonly keep: number;
  /** Buffers allocated over the pool's life (reuse keeps this small). */
  allocated = 0;
  /** acquire() calls served from a released buffer. */
  reused = 0;

  /** @param bytes length of every buffer, e.g. `width * height * 3` for RGB. */
  constructor(readonly bytes: number, o: FramePoolOptions = {}) {
    this.keep = o.keep ?? DEFAULT_FRAME_POOL.keep;
  }

  /** A buffer of `bytes` bytes that nobody else holds: a released one, else a new one. Its content is stale. */
  acquire(): Uint8Array {
    let buf = this.free.pop();
    if (buf) this.reused++;
    else {
      buf = new Uint8Array(this.bytes);
      this.allocated++;
    }
    this.inUse.add(buf);
    return buf;
  }

  /**
   * Give a buffer back: the caller and everyone it shared the buffer with are done reading it.
   * Buffers this pool did not hand out, or already released, are ignored. The guard is per
   * buffer: once a released buffer is acquired again, a stale second release of the old frame
   * would free it, so callers that release frames track the frames (RawPipeSource does).
   */
  release(buf: Uint8Array): void {
    if (!this.inUse.has(buf)) return;
    this.inUse.delete(buf);
    if (this.free.length < this.keep) this.free.push(buf);
  }

  /** Free buffers waiting for reuse. */
  get available(): number {
    return this.free.length;
  }
}
