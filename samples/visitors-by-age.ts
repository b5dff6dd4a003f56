/**
 * A custom sink on the audience events: count the visitors of a video per age bucket, as a
 * signage integrator would, from the aggregates (each visit counted once, when its track ends).
 * Run: npx tsx samples/visitors-by-age.ts <video.mp4>
 */
import { createPipeline, type AudienceEvent } from '../device/index.ts';

const video = process.argv[2];
if (!video) throw new Error('give a video file: npx tsx samples/visitors-by-age.ts <video.mp4>');

let visitors = 0;
const byBucket: Record<string, number> = {};
const countVisitors = {
  write() {},
  writeEvents(events: AudienceEvent[]) {
    for (const e of events) {
      if (e.type !== 'aggregate') continue;
      visitors += e.impressions;
      for (const [bucket, n] of Object.entries(e.byBucket)) byBucket[bucket] = (byBucket[bucket] ?? 0) + n;
    }
  },
  async close() {},
};
const pipeline = await createPipeline({ source: `file:${video}`, sinks: [countVisitors], events: { aggregateMs: 60_000 } });
const summary = await pipeline.run(new AbortController().signal);
await pipeline.finish(); // faces still in view end now, and the last aggregate comes
await pipeline.close();
console.log(JSON.stringify({ visitors, by_bucket: byBucket }));
console.error(`${summary.frames} frames at ${summary.fps.toFixed(1)} FPS`);
