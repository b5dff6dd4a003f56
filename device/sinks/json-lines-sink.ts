/**
 * One JSON object per processed frame, one per line: `frame`, `t_ms`, and `faces`, each with
 * `track`, `box` ([x, y, w, h] in frame pixels), `score`, `age`, `age_smoothed`, `bucket`.
 * Writes to a stream (stdout) or a file; a file keeps going through a full disk (lines lost are
 * counted, the file stays whole).
 *
 * @example
 * const sink = JsonLinesSink.toStream(process.stdout);
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { isWriteFault, writeFaultError } from '../../core/errors.ts';
import { OutputHealthTracker, type DegradableOutput, type OutputHealth, type OutputHealthOptions } from './output-health.ts';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { FrameResult, Sink, TrackedFace } from '../stages.ts';

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** The wire form of one face (snake_case, rounded). */
export function faceRecord(f: TrackedFace): Record<string, unknown> {
  return {
    track: f.track,
    box: [r1(f.box.x), r1(f.box.y), r1(f.box.w), r1(f.box.h)],
    score: r3(f.box.score),
    age: f.age === undefined ? null : r1(f.age),
    age_smoothed: f.ageSmoothed === undefined ? null : r1(f.ageSmoothed),
    bucket: f.bucket ?? null,
  };
}

/** The wire form of one frame. */
export function frameRecord(r: FrameResult): Record<string, unknown> {
  return { frame: r.frame, t_ms: r2(r.tMs), faces: r.faces.map(faceRecord) };
}

export class JsonLinesSink implements Sink {
  private constructor(private readonly out: Writable, private readonly owned: boolean) {}

  /** Lines to a stream (stdout), with backpressure. */
  static toStream(out: Writable): JsonLinesSink {
    return new JsonLinesSink(out, false);
  }

  /**
   * Lines to a file that survives a full disk: see {@link JsonLinesFileSink}.
   * @param options.onEvent status lines when writing stops and starts again
   */
  static async toFile(path: string, options: OutputHealthOptions = {}): Promise<JsonLinesFileSink> {
    return JsonLinesFileSink.open(path, options);
  }

  async write(r: FrameResult): Promise<void> {
    // Respect backpressure: a slow consumer of stdout slows the loop rather than growing memory.
    if (!this.out.write(JSON.stringify(frameRecord(r)) + '\n')) await new Promise((res) => this.out.once('drain', res));
  }

  async close(): Promise<void> {
    if (this.owned) await new Promise<void>((res) => this.out.end(res));
  }
}

/**
 * JSON lines to a file, one positional write per line. When the disk refuses a write (full, I/O
 * error) the file is cut back to its last whole line, the line is counted as not written, and
 * the run goes on; writing is tried again every few seconds, so lines resume once space frees.
 */
export class JsonLinesFileSink implements Sink, DegradableOutput {
  private offset = 0;
  private readonly health: OutputHealthTracker;

  private constructor(private readonly fh: FileHandle, readonly path: string, options: OutputHealthOptions) {
    this.health = new OutputHealthTracker('frames', path, options);
  }

  static async open(path: string, options: OutputHealthOptions = {}): Promise<JsonLinesFileSink> {
    try {
      await mkdir(dirname(path), { recursive: true });
      return new JsonLinesFileSink(await open(path, 'w'), path, options);
    } catch (err) {
      if (isWriteFault(err)) throw writeFaultError(err, 'the frames file', path);
      throw err;
    }
  }

  async write(r: FrameResult): Promise<void> {
    if (!this.health.shouldTry()) { this.health.fault(); return; }
    const line = Buffer.from(JSON.stringify(frameRecord(r)) + '\n');
    let done = 0;
    try {
      while (done < line.length) done += (await this.fh.write(line, done, line.length - done, this.offset + done)).bytesWritten;
      this.offset += line.length;
      this.health.ok();
    } catch (err) {
      if (!isWriteFault(err)) throw err;
      // Keep the file whole: drop the part of this line that made it to disk.
      if (done > 0) await this.fh.truncate(this.offset).catch(() => undefined);
      this.health.fault(err);
    }
  }

  outputHealth(): OutputHealth {
    return this.health.health();
  }

  async close(): Promise<void> {
    await this.fh.sync().catch(() => undefined);
    await this.fh.close();
  }
}
