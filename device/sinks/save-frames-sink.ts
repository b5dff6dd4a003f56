/**
 * `--save-frames <dir>`: the only way agekit writes camera images to disk (privacy by default).
 * Saves every `everyN`-th frame that has a face, as JPEG, with its JSON record beside it.
 *
 * @example
 * const sink = new SaveFramesSink({ dir: 'shots', everyN: 10 });
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FramePixels, FrameResult, Sink } from '../stages.ts';
import { frameRecord } from './json-lines-sink.ts';

export interface SaveFramesOptions {
  dir: string;
  /** Save one frame in this many (among frames with faces). Default 1. */
  everyN?: number;
}

export class SaveFramesSink implements Sink {
  readonly wantsPixels = true;
  private n = 0;
  saved = 0;

  constructor(private readonly o: SaveFramesOptions) {}

  async write(r: FrameResult, pixels?: FramePixels): Promise<void> {
    if (!pixels || r.faces.length === 0) return;
    if (this.n++ % (this.o.everyN ?? 1) !== 0) return;
    await mkdir(this.o.dir, { recursive: true });
    const name = `frame-${String(r.frame).padStart(7, '0')}`;
    const { frame } = pixels;
    await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(this.o.dir, `${name}.jpg`));
    await writeFile(join(this.o.dir, `${name}.json`), JSON.stringify(frameRecord(r)) + '\n');
    this.saved++;
  }

  async close(): Promise<void> {}
}
