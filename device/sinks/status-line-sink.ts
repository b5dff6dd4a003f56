/**
 * The live status line: FPS, faces, tracks and per-stage p50 ms, rewritten in place at most
 * a few times a second on a TTY (a plain line every few seconds otherwise, no ANSI codes).
 *
 * @example
 * const status = new StatusLineSink(process.stderr, stats, () => tracker.active().length);
 */
import type { Writable } from 'node:stream';
import type { FrameResult, Sink, SourceHealth } from '../stages.ts';
import { nowMs } from '../stage-clock.ts';
import type { LatencyStats } from './latency-stats.ts';

export class StatusLineSink implements Sink {
  private last = 0;
  private readonly tty: boolean;

  constructor(private readonly out: Writable & { isTTY?: boolean }, private readonly stats: LatencyStats, private readonly health?: () => SourceHealth, private readonly intervalMs?: number) {
    this.tty = Boolean(out.isTTY);
  }

  write(r: FrameResult): void {
    const t = nowMs();
    if (t - this.last < (this.intervalMs ?? (this.tty ? 250 : 5000))) return;
    this.last = t;
    const s = this.stats.summary();
    const st = s.stages;
    const h = this.health?.();
    const line = `frame ${r.frame}  ${s.recentFps.toFixed(1)} FPS  faces ${r.faces.length}  ` +
      `capture ${st.capture.p50Ms.toFixed(1)}  detect ${st.detect.p50Ms.toFixed(1)}  crop ${st.crop.p50Ms.toFixed(1)}  ` +
      `estimate ${st.estimate.p50Ms.toFixed(1)}  track ${st.track.p50Ms.toFixed(2)}  total ${st.total.p50Ms.toFixed(1)} ms (p50)` +
      (h && (h.badFrames || h.restarts || h.dropped) ? `  dropped ${h.dropped} bad ${h.badFrames} restarts ${h.restarts}` : '');
    this.out.write(this.tty ? `\r${line}\x1b[K` : line + '\n');
  }

  async close(): Promise<void> {
    if (this.tty && this.last > 0) this.out.write('\n');
  }
}
