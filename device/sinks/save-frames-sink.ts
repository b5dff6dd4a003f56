/**
 * `--save-frames <dir>`: the only way agekit writes camera images to disk (privacy by default).
 * Saves every `everyN`-th frame that has a face, as JPEG, with its JSON record beside it.
 *
 * @example
 * const sink = new SaveFramesSink({ dir: 'shots', everyN: 10 });
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isWriteFault } from '../../core/errors.ts';
import { OutputHealthTracker, type DegradableOutput, type OutputHealth, type OutputHealthOptions } from './output-health.ts';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FramePixels, FrameResult, Sink } from '../stages.ts';
import { frameRecord } from './json-lines-sink.ts';

export interface SaveFramesOptions {
  dir: string;
  /** Save one frame in this many (among frames with faces). Default 1. */
  everyN?: number;
  /** Status lines when the disk refuses frames and when it takes them again. */
  onEvent?: OutputHealthOptions['onEvent'];
  /** `device_id` in each frame's JSON record. Default: the host name. */
  deviceId?: string;
}

export class SaveFramesSink implements Sink, DegradableOutput {
  readonly wantsPixels = true;
  private n = 0;
  saved = 0;
  private readonly health: OutputHealthTracker;

  constructor(private readonly o: SaveFramesOptions) {
    this.health = new OutputHealthTracker('saved frames', o.dir, { onEvent: o.onEvent });
  }

  async write(r: FrameResult, pixels?: FramePixels): Promise<void> {
    if (!pixels || r.faces.length === 0) return;
    if (this.n++ % (this.o.everyN ?? 1) !== 0) return;
    if (!this.health.shouldTry()) { this.health.fault(); return; }
    const name = `frame-${String(r.frame).padStart(7, '0')}`;
    const jpg = join(this.o.dir, `${name}.jpg`), json = join(this.o.dir, `${name}.json`);
    const { frame } = pixels;
    try {
      await mkdir(this.o.dir, { recursive: true });
      await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } }).jpeg({ quality: 90 }).toFile(jpg);
      await writeFile(json, JSON.stringify(frameRecord(r, this.o.deviceId)) + '\n');
      this.saved++;
      this.health.ok();
    } catch (err) {
      // sharp reports a full disk as a plain Error: read the errno from its message.
      const fault = isWriteFault(err) ? err : sharpWriteFault(err);
      if (!fault) throw err;
      // No half pair: a frame is its JPEG and its JSON, or nothing.
      await Promise.all([rm(jpg, { force: true }), rm(json, { force: true })]).catch(() => undefined);
      this.health.fault(fault);
    }
  }

  outputHealth(): OutputHealth {
    return this.health.health();
  }

  async close(): Promise<void> {}
}

/** The errno of a write failure sharp/libvips reports only in its message (e.g. "No space left on device"). */
function sharpWriteFault(err: unknown): NodeJS.ErrnoException | undefined {
  const msg = (err as Error | undefined)?.message ?? '';
  const code = /No space left/i.test(msg) ? 'ENOSPC' : /Input\/output error/i.test(msg) ? 'EIO' : /Disk quota/i.test(msg) ? 'EDQUOT' : /Read-only file system/i.test(msg) ? 'EROFS' : undefined;
  return code ? Object.assign(new Error(msg), { code }) : undefined;
}
