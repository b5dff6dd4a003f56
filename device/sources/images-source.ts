/**
 * `images:<dir>`: the images of a folder in name order, as frames; an image that cannot be
 * decoded is skipped and counted. Timestamps advance by 1000/fps ms per image (default 10 fps).
 *
 * @example
 * const src = await ImagesSource.create('images:shots', 'shots', { loop: false });
 */
import { readdir } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { SourceError } from '../../core/errors.ts';
import type { Frame, Source, SourceHealth } from '../stages.ts';
import { decodeImage } from './decode-image.ts';
import type { SourceOptions } from './ffmpeg-sources.ts';
import type { SourceEvent } from './raw-pipe-source.ts';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif']);

export class ImagesSource implements Source {
  readonly health: SourceHealth = { badFrames: 0, restarts: 0, stalls: 0, dropped: 0 };
  private closed = false;

  private constructor(readonly id: string, private readonly files: string[], private readonly o: SourceOptions) {}

  static async create(spec: string, dir: string, o: SourceOptions = {}): Promise<ImagesSource> {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SourceError(`folder not found (${dir})`, { where: spec, hint: 'give a folder of images: images:<dir>' });
    const files = (await readdir(dir)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort().map((f) => join(dir, f));
    if (files.length === 0) throw new SourceError(`no images in ${dir}`, { where: spec, hint: `put ${[...IMAGE_EXTENSIONS].join(', ')} files there` });
    return new ImagesSource(spec, files, o);
  }

  /** Number of image files found. */
  get count(): number {
    return this.files.length;
  }

  async *frames(signal: AbortSignal): AsyncIterable<Frame> {
    const step = 1000 / (this.o.fps ?? 10);
    let index = 0;
    do {
      for (const file of this.files) {
        if (signal.aborted || this.closed) return;
        let img;
        try {
          img = await decodeImage(file, file, this.o.size);
        } catch (err) {
          this.health.badFrames++;
          this.health.lastProblem = (err as Error).message;
          this.o.onEvent?.({ source: this.id, kind: 'bad-frame', message: (err as Error).message } satisfies SourceEvent);
          continue;
        }
        yield { index, tMs: index * step, width: img.width, height: img.height, rgb: img.data };
        index++;
      }
    } while (this.o.loop && index > 0);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
