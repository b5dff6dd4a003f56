/**
 * A custom sink: count the distinct visitors of a video per age bucket, as a signage
 * integrator would. Run: npx tsx samples/visitors-by-age.ts <video.mp4>
 */
import { createPipeline, type FrameResult } from '../device/index.ts';

const video = process.argv[2];
if (!video) throw new Error('give a video file: npx tsx samples/visitors-by-age.ts <video.mp4>');

const bucketOfTrack = new Map<number, string>(); // last bucket seen per track
const countVisitors = {
  write(r: FrameResult) {
    for (const f of r.faces) if (f.bucket) bucketOfTrack.set(f.track, f.bucket);
  },
  async close() {
    const counts: Record<string, number> = {};
    for (const b of bucketOfTrack.values()) counts[b] = (counts[b] ?? 0) + 1;
    console.log(JSON.stringify({ visitors: bucketOfTrack.size, by_bucket: counts }));
  },
};
const pipeline = await createPipeline({ source: `file:${video}`, sinks: [countVisitors] });
const summary = await pipeline.run(new AbortController().signal);
await pipeline.close();
console.error(`${summary.frames} frames at ${summary.fps.toFixed(1)} FPS`);
