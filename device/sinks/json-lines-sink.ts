/**
 * One JSON object per processed frame, one per line: `frame`, `t_ms`, the envelope (`time`,
 * `epoch_ms`, `device_id`) and `faces`, each with
 * `track`, `box` ([x, y, w, h] in frame pixels), `score`, `age`, `age_smoothed`, `bucket`.
 * Writes to a stream (stdout) or a file; a file keeps going through a full disk (lines lost are
 * counted, the file stays whole).
 *
 * @example
 * const sink = JsonLinesSink.toStream(process.stdout);
 */
import type { DegradableOutput, OutputHealth, OutputHealthOptions } from './output-health.ts';
import type { Writable } from 'node:stream';
import { JsonLinesFile } from './json-lines-file.ts';
import { defaultDeviceId, envelopeFields } from '../events/event-envelope.ts';
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

/**
 * The wire form of one frame, with the envelope: wall-clock capture time (`time`, `epoch_ms`;
 * stamped now when the result has no `epochMs`) and `device_id` (default the host name).
 */
export function frameRecord(r: FrameResult, deviceId = defaultDeviceId()): Record<string, unknown> {
  return { frame: r.frame, t_ms: r2(r.tMs), ...envelopeFields(r.epochMs ?? Date.now(), deviceId), faces: r.faces.map(faceRecord) };
}

export interface JsonLinesOptions {
  /** `device_id` of every line. Default: the host name. */
  deviceId?: string;
}

export class JsonLinesSink implements Sink {
  private constructor(private readonly out: Writable, private readonly owned: boolean, private readonly deviceId: string) {}

  /** Lines to a stream (stdout), with backpressure. */
  static toStream(out: Writable, options: JsonLinesOptions = {}): JsonLinesSink {
    return new JsonLinesSink(out, false, options.deviceId ?? defaultDeviceId());
  }

  /**
   * Lines to a file that survives a full disk: see {@link JsonLinesFileSink}.
   * @param options.onEvent status lines when writing stops and starts again
   */
  static async toFile(path: string, options: JsonLinesOptions & OutputHealthOptions = {}): Promise<JsonLinesFileSink> {
    return JsonLinesFileSink.open(path, options);
  }

  async write(r: FrameResult): Promise<void> {
    // Respect backpressure: a slow consumer of stdout slows the loop rather than growing memory.
    if (!this.out.write(JSON.stringify(frameRecord(r, this.deviceId)) + '\n')) await new Promise((res) => this.out.once('drain', res));
  }

  async close(): Promise<void> {
    if (this.owned) await new Promise<void>((res) => this.out.end(res));
  }
}

/**
 * Frame lines to a file that survives a full disk (see {@link JsonLinesFile}): the file is cut
 * back to its last whole line, lost lines are counted, and writing resumes once space frees.
 */
export class JsonLinesFileSink implements Sink, DegradableOutput {
  private constructor(private readonly file: JsonLinesFile, private readonly deviceId: string) {}

  get path(): string {
    return this.file.path;
  }

  static async open(path: string, options: JsonLinesOptions & OutputHealthOptions = {}): Promise<JsonLinesFileSink> {
    return new JsonLinesFileSink(await JsonLinesFile.open(path, 'frames', options), options.deviceId ?? defaultDeviceId());
  }

  async write(r: FrameResult): Promise<void> {
    await this.file.writeLine(frameRecord(r, this.deviceId));
  }

  outputHealth(): OutputHealth {
    return this.file.outputHealth();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
