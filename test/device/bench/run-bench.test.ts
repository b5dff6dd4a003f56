import test from 'ava';
import { runBench, formatBenchTable } from '../../device/bench/run-bench.ts';
import { benchFrames } from '../../device/bench/bench-frames.ts';
import { dataTest, requireUtkface } from '../support/shared-data.ts';
import { blazefaceTflite } from './support/device-models.ts';
import { join } from 'node:path';

dataTest(test)('bench: frames composited from real faces, every runtime timed per stage, ratios to the first configuration', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const { frames, where } = await benchFrames({ facesDir: join(utk, 'images'), count: 3, facesPerFrame: 1 });
  t.regex(where, /3 640x480 frames, 1 face\(s\) of 160 px/);
  t.is(frames.length, 3);
  const detector = await blazefaceTflite();
  const skipped: string[] = [];
  const results = await runBench({
    frames, configs: [{ runtime: 'tflite', threads: 1, detector }, { runtime: 'tflite-wasm', threads: 1, detector }],
    onSkip: (c, err) => skipped.push(`${c.runtime}: ${(err as Error).message}`),
  });
  t.deepEqual(skipped, []);
  t.deepEqual(results.map((r) => r.runtime), ['tflite', 'tflite-wasm']);
  for (const r of results) {
    t.is(r.frames, 3);
    t.true(r.fps > 0 && r.stages.detect.p50_ms > 0);
    t.is(r.stages.estimate.mean_ms, 0);
    t.true(r.faces_per_frame >= 0.9 && r.faces_per_frame <= 1.1, `${r.faces_per_frame} faces per frame, one placed`);
    t.true(Math.abs(r.stages.detect.share - 1) < 0.01);
  }
  t.is(results[0].ratio_to_baseline, 1);
  const table = formatBenchTable(results);
  t.log('\n' + table);
  t.regex(table, /^runtime +threads +model/);
  t.is(table.split('\n').length, 3);
});
