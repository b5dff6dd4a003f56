/**
 * Ages of the faces in a folder of photos, with the shipped detector and student.
 * Run: npx tsx samples/ages-in-photos.ts <folder of .jpg/.png>
 */
import { createPipeline, type FrameResult } from '../device/index.ts';

const folder = process.argv[2];
if (!folder) throw new Error('give a folder of photos: npx tsx samples/ages-in-photos.ts <folder>');

const printAges = {
  write(r: FrameResult) {
    const faces = r.faces.map((f) => `${f.age === undefined ? '?' : Math.round(f.age)} y at [${[f.box.x, f.box.y, f.box.w, f.box.h].map(Math.round).join(', ')}]`);
    console.log(`photo ${r.frame}: ${faces.length} face(s)${faces.length ? ': ' + faces.join('; ') : ''}  (${r.stageMs.total.toFixed(1)} ms)`);
  },
  async close() {},
};
const pipeline = await createPipeline({ source: `images:${folder}`, sinks: [printAges] });
console.error(`detector ${pipeline.detector.id}, age model ${pipeline.estimator?.id ?? 'none'}`);
await pipeline.run(new AbortController().signal);
await pipeline.close();
