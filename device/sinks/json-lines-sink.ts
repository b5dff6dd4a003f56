/**
 * One JSON object per processed frame, one per line: `frame`, `t_ms`, and `faces`, each with
 * `track`, `box` ([x, y, w, h] in frame pixels), `score`, `age`, `age_smoothed`, `bucket`.
 * Writes to a stream (stdout) or a file.
 *
 * @example
 * const sink = JsonLinesSink.toStream(process.stdout);
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
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

  static toStream(out: Writable): JsonLinesSink {
    return new JsonLinesSink(out, false);
  }

  static async toFile(path: string): Promise<JsonLinesSink> {
    await mkdir(dirname(path), { recursive: true });
    const ws: WriteStream = createWriteStream(path, { flags: 'w' });
    return new JsonLinesSink(ws, true);
  }

  async write(r: FrameResult): Promise<void> {
    // Respect backpressure: a slow consumer of stdout slows the loop rather than growing memory.
    if (!this.out.write(JSON.stringify(frameRecord(r)) + '\n')) await new Promise((res) => this.out.once('drain', res));
  }

  async close(): Promise<void> {
    if (this.owned) await new Promise<void>((res) => this.out.end(res));
  }
}
