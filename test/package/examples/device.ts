// agekit/device: ages of the faces in a video with the shipped detector and student.
import { createPipeline, LatencyStats, type FrameResult, type Sink } from 'agekit/device';

const printAges: Sink = {
  write(r: FrameResult) {
    for (const f of r.faces) console.log(`frame ${r.frame}: track ${f.track}, ${f.ageSmoothed?.toFixed(1)} y (${f.bucket})`);
  },
  async close() {},
};
const latency = new LatencyStats();
const pipeline = await createPipeline({ source: 'file:walk.mp4', sinks: [printAges, latency] });
const summary = await pipeline.run(new AbortController().signal, { maxFrames: 100 });
await pipeline.close();
console.log(`${summary.frames} frames at ${summary.fps.toFixed(1)} FPS; estimate p50 ${latency.summary().stages.estimate.p50Ms} ms`);
