/**
 * A source backed by one long-running process writing raw frames to stdout (ffmpeg, rpicam-vid,
 * gst-launch). It restarts the process with backoff when it dies (a camera unplugged, a stream
 * dropped) or stalls (no frame within the stall timeout), skips and counts partial frames, and for
 * live cameras keeps only the newest frame so a slow pipeline never works on stale images.
 * Frame buffers come from a small pool: `release(frame)` once the frame is done with (the
 * pipeline does, after its sinks) lets the next frame reuse the memory.
 *
 * @example
 * const src = new RawPipeSource({ id: 'v4l2:/dev/video0', width: 640, height: 480, format: 'rgb24',
 *   live: true, command: (resume) => ({ cmd: 'ffmpeg', args: [...] }) });
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { SourceError } from '../../core/errors.ts';
import type { Frame, Source, SourceHealth } from '../stages.ts';
import { nowMs } from '../stage-clock.ts';
import { FrameAssembler, type RawPixelFormat } from './frame-assembler.ts';
import { FramePool } from './frame-pool.ts';

/** Something that happened to a source, for the CLI's stderr (the library never prints). */
export interface SourceEvent {
  source: string;
  kind: 'started' | 'exited' | 'stalled' | 'restarting' | 'bad-frame' | 'ended';
  message: string;
}

/** The command to (re)start, given the number of frames already delivered by this source. */
export type PipeCommand = (resumeAtFrame: number) => { cmd: string; args: string[] };

export interface RawPipeSourceOptions {
  id: string;
  width: number;
  height: number;
  format: RawPixelFormat;
  /** Live camera or stream: wall-clock timestamps, newest frame wins, restart forever. */
  live: boolean;
  /** Frames per second of the content: timestamps of non-live sources are index * 1000 / fps. */
  fps?: number;
  command: PipeCommand;
  /** For non-live sources: the process ending with code 0 is the end of the source. Default true. */
  endsOnExit?: boolean;
  /** No frame for this long (once frames flow) restarts the process. Default 5000 ms. */
  stallTimeoutMs?: number;
  /** No first frame for this long after a start restarts the process (cameras and streams open slowly). Default 20000 ms. */
  startTimeoutMs?: number;
  /** First wait before a restart; doubles up to {@link maxBackoffMs}. Default 250 ms. */
  backoffMs?: number;
  /** Default 30000 ms. */
  maxBackoffMs?: number;
  /** Consecutive failed starts (no frame) before a non-live source gives up. Default 5; live sources never give up once a frame came. */
  maxFailedStarts?: number;
  /**
   * A live source that has not delivered a single frame this long after the first start (the
   * camera is missing, not permitted, or not a camera) gives up with a SourceError saying why;
   * one that worked and then vanished is retried forever. 0: never give up. Default 30000 ms.
   */
  openTimeoutMs?: number;
  /** What to do when the source never opened, for that error. Default: check it and list the cameras. */
  neverOpenedHint?: string;
  onEvent?: (event: SourceEvent) => void;
  /** Injected for tests of the restart logic. Default node:child_process spawn. */
  spawn?: typeof nodeSpawn;
}

export const DEFAULT_RAW_PIPE = { stallTimeoutMs: 5000, startTimeoutMs: 20_000, backoffMs: 250, maxBackoffMs: 30_000, maxFailedStarts: 5, openTimeoutMs: 30_000 } as const;

/** One run of the producer process. */
class PipeRun {
  readonly child: ChildProcess;
  readonly assembler: FrameAssembler;
  private pending: Uint8Array[] = [];
  private wake?: () => void;
  private timer?: NodeJS.Timeout;
  private paused = false;
  ended = false;
  stalled = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  spawnError?: Error;
  delivered = 0;
  private stderrTail = '';

  constructor(private readonly o: RawPipeSourceOptions, private readonly health: SourceHealth, pool: FramePool, cmd: { cmd: string; args: string[] }, private readonly stallMs: number, startMs: number) {
    this.assembler = new FrameAssembler(o.width, o.height, o.format, pool);
    const spawn = o.spawn ?? nodeSpawn;
    this.child = spawn(cmd.cmd, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => { this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000); });
    this.child.on('error', (err) => { this.spawnError = err; this.finish(); });
    this.child.on('close', (code, signal) => { this.exitCode = code; this.exitSignal = signal; this.finish(); });
    this.armTimer(startMs);
  }

  private onData(chunk: Buffer): void {
    const frames = this.assembler.push(chunk);
    if (frames.length === 0) return;
    this.armTimer(this.stallMs);
    for (const f of frames) {
      if (this.o.live && this.pending.length > 0) {
        // Never handed out, so nobody else reads them: straight back to the pool.
        for (const stale of this.pending) this.assembler.release(stale);
        // Counted at once, not when the run ends: a pipeline that stops mid-run reports them too.
        this.health.dropped += this.pending.length;
        this.pending.length = 0;
      }
      this.pending.push(f);
    }
    // Files: backpressure instead of dropping, so every frame is processed. While paused the
    // producer is waiting for us, not stalled: no stall timer until we read again.
    if (!this.o.live && this.pending.length >= 2) { this.child.stdout!.pause(); this.paused = true; clearTimeout(this.timer); }
    this.wake?.();
  }

  private armTimer(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.stalled = true; this.kill(); }, ms);
    this.timer.unref();
  }

  private finish(): void {
    clearTimeout(this.timer);
    this.ended = true;
    this.wake?.();
  }

  /** The next whole frame, or null once the process has ended and every frame is taken. */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.pending.length > 0) {
        const f = this.pending.shift()!;
        if (this.paused && this.pending.length < 2) { this.paused = false; this.child.stdout!.resume(); this.armTimer(this.stallMs); }
        this.delivered++;
        return f;
      }
      if (this.ended) return null;
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = undefined;
    }
  }

  kill(): void {
    clearTimeout(this.timer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** The last line the producer wrote to stderr, for error messages. */
  lastError(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean);
    return lines.length ? lines[lines.length - 1].trim() : '';
  }
}

export class RawPipeSource implements Source {
  readonly id: string;
  readonly health: SourceHealth = { badFrames: 0, restarts: 0, stalls: 0, dropped: 0 };
  /** The RGB frame buffers, kept across restarts of the producer. */
  readonly pool: FramePool;
  /**
   * Frames handed out and not yet released. The pool's own guard is per buffer, so releasing
   * frame A twice after its buffer came back as frame B would free B's pixels: release is keyed
   * on the frame object instead.
   */
  private readonly handedOut = new WeakSet<Frame>();
  private run?: PipeRun;
  private closed = false;

  constructor(private readonly o: RawPipeSourceOptions) {
    this.id = o.id;
    this.pool = new FramePool(o.width * o.height * 3);
  }

  /** The frame's pixels may be overwritten from now on: every reader (detector, crops, sinks) is done. */
  release(frame: Frame): void {
    // Only a frame this source handed out, once: a second release (or a foreign frame) is ignored.
    if (this.handedOut.delete(frame)) this.pool.release(frame.rgb);
  }

  async *frames(signal: AbortSignal): AsyncIterable<Frame> {
    const stallMs = this.o.stallTimeoutMs ?? DEFAULT_RAW_PIPE.stallTimeoutMs;
    const maxFailed = this.o.maxFailedStarts ?? DEFAULT_RAW_PIPE.maxFailedStarts;
    let index = 0;
    let failedStarts = 0;
    let lastT = -Infinity;
    const openTimeoutMs = this.o.openTimeoutMs ?? DEFAULT_RAW_PIPE.openTimeoutMs;
    const firstStart = nowMs();
    const onAbort = () => this.run?.kill();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted && !this.closed) {
        const cmd = this.o.command(index);
        const run = (this.run = new PipeRun(this.o, this.health, this.pool, cmd, stallMs, this.o.startTimeoutMs ?? DEFAULT_RAW_PIPE.startTimeoutMs));
        this.emit('started', `${cmd.cmd} started`);
        for (;;) {
          const rgb = await run.next();
          if (!rgb) break;
          failedStarts = 0;
          let tMs = this.o.live || !this.o.fps ? nowMs() : (index * 1000) / this.o.fps;
          if (tMs <= lastT) tMs = lastT + 0.001;
          lastT = tMs;
          const frame: Frame = { index: index++, tMs, width: this.o.width, height: this.o.height, rgb };
          this.handedOut.add(frame);
          yield frame;
          if (signal.aborted) break;
        }
        if (run.assembler.partialBytes > 0) {
          this.health.badFrames++;
          this.emit('bad-frame', `partial frame skipped (${run.assembler.partialBytes} of ${run.assembler.frameBytes} bytes)`);
        }
        if (signal.aborted || this.closed) break;
        if (run.spawnError) {
          const code = (run.spawnError as NodeJS.ErrnoException).code;
          throw new SourceError(`cannot start ${cmd.cmd} (${code ?? run.spawnError.message})`, {
            where: this.id,
            hint: code === 'ENOENT' ? `install ${cmd.cmd} (e.g. apt-get install ${cmd.cmd === 'gst-launch-1.0' ? 'gstreamer1.0-tools' : cmd.cmd === 'rpicam-vid' ? 'rpicam-apps' : cmd.cmd}) and make sure it is on PATH` : 'check the command and its permissions',
            cause: run.spawnError,
          });
        }
        if (run.stalled) {
          this.health.stalls++;
          this.emit('stalled', run.delivered ? `no frame for ${stallMs} ms` : `no first frame within ${this.o.startTimeoutMs ?? DEFAULT_RAW_PIPE.startTimeoutMs} ms`);
        } else if (!this.o.live && (this.o.endsOnExit ?? true) && run.exitCode === 0) {
          this.emit('ended', `end of ${this.id} after ${index} frames`);
          return;
        }
        if (run.delivered === 0) failedStarts++;
        const why = run.stalled ? 'stalled' : `exited (${run.exitSignal ?? `code ${run.exitCode}`})${run.lastError() ? `: ${run.lastError()}` : ''}`;
        this.health.lastProblem = `${cmd.cmd} ${why}`;
        if (!this.o.live && failedStarts >= maxFailed) {
          throw new SourceError(`${cmd.cmd} failed ${failedStarts} times in a row without a frame (${why})`, {
            where: this.id,
            hint: 'check that the file or stream exists and plays (ffplay / ffprobe it)',
          });
        }
        // A camera that never gave a frame is missing or not permitted: say so and stop, after a
        // bounded wait (a USB camera may still be enumerating at boot), instead of retrying forever.
        const waited = nowMs() - firstStart;
        if (this.o.live && index === 0 && openTimeoutMs > 0 && waited >= openTimeoutMs) {
          throw new SourceError(`never opened: no frame in ${(waited / 1000).toFixed(0)} s and ${failedStarts} attempt${failedStarts === 1 ? '' : 's'} (${cmd.cmd} ${why})`, {
            where: this.id,
            hint: this.o.neverOpenedHint ?? 'check that the camera is connected and this user may open it (group video); agekit-device cameras lists the cameras',
          });
        }
        const base = this.o.backoffMs ?? DEFAULT_RAW_PIPE.backoffMs;
        let wait = Math.min(this.o.maxBackoffMs ?? DEFAULT_RAW_PIPE.maxBackoffMs, base * 2 ** Math.max(0, failedStarts - 1));
        if (this.o.live && index === 0 && openTimeoutMs > 0) wait = Math.max(0, Math.round(Math.min(wait, openTimeoutMs - waited)));
        this.health.restarts++;
        this.emit('restarting', `${cmd.cmd} ${why}; restarting in ${wait} ms (restart ${this.health.restarts})`);
        await sleep(wait, signal);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.run?.kill();
    }
  }

  private emit(kind: SourceEvent['kind'], message: string): void {
    this.o.onEvent?.({ source: this.id, kind, message });
  }

  async close(): Promise<void> {
    this.closed = true;
    const run = this.run;
    if (!run) return;
    run.kill();
    if (!run.ended) await new Promise<void>((resolve) => { run.child.once('close', () => resolve()); setTimeout(resolve, 2000).unref(); });
  }
}

/** Wait `ms`, or less if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done);
  });
}
