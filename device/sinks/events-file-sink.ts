/**
 * `--events-out`: the audience events only (track_start, track_update, track_end, aggregate), one
 * JSON object per line in their wire form, through the same full-disk-safe line writer as the
 * frames file: the file stays whole and lost lines are counted.
 *
 * @example
 * const sink = await EventsFileSink.open('events.jsonl', { onEvent: say });
 */
import type { FrameResult, Sink } from '../stages.ts';
import { eventRecord, type AudienceEvent } from '../events/audience-event.ts';
import { JsonLinesFile } from './json-lines-file.ts';
import type { DegradableOutput, OutputHealth, OutputHealthOptions } from './output-health.ts';

export class EventsFileSink implements Sink, DegradableOutput {
  private constructor(private readonly file: JsonLinesFile) {}

  get path(): string {
    return this.file.path;
  }

  static async open(path: string, options: OutputHealthOptions = {}): Promise<EventsFileSink> {
    return new EventsFileSink(await JsonLinesFile.open(path, 'events', options));
  }

  /** Frames are not written here (they go to `--out`). */
  write(_r: FrameResult): void {}

  async writeEvents(events: AudienceEvent[]): Promise<void> {
    for (const e of events) await this.file.writeLine(eventRecord(e));
  }

  outputHealth(): OutputHealth {
    return this.file.outputHealth();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
