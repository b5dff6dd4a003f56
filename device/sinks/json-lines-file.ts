/**
 * A JSON-lines file that survives a full disk, shared by the frames file (`--out`) and the
 * events file (`--events-out`): one positional write per line; when the disk refuses one (full,
 * I/O error) the file is cut back to its last whole line, the line is counted as not written,
 * and writing is tried again every few seconds, so lines resume once space frees.
 *
 * @example
 * const file = await JsonLinesFile.open('events.jsonl', 'events', { onEvent: say });
 * await file.writeLine({ event: 'track_start', track: 1 });
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isWriteFault, writeFaultError } from '../../core/errors.ts';
import { OutputHealthTracker, type DegradableOutput, type OutputHealth, type OutputHealthOptions } from './output-health.ts';

export class JsonLinesFile implements DegradableOutput {
  private offset = 0;
  private readonly health: OutputHealthTracker;

  private constructor(private readonly fh: FileHandle, readonly path: string, output: string, options: OutputHealthOptions) {
    this.health = new OutputHealthTracker(output, path, options);
  }

  /**
   * Create (or empty) the file, and its folder.
   * @param output what the file holds, for status lines and /status (`frames`, `events`)
   */
  static async open(path: string, output: string, options: OutputHealthOptions = {}): Promise<JsonLinesFile> {
    try {
      await mkdir(dirname(path), { recursive: true });
      return new JsonLinesFile(await open(path, 'w'), path, output, options);
    } catch (err) {
      if (isWriteFault(err)) throw writeFaultError(err, `the ${output} file`, path);
      throw err;
    }
  }

  /** Append one line; on a refused write the file stays whole and the line is counted as not written. */
  async writeLine(record: unknown): Promise<void> {
    if (!this.health.shouldTry()) { this.health.fault(); return; }
    const line = Buffer.from(JSON.stringify(record) + '\n');
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
