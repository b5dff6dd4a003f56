/**
 * `agekit boxes`: the device's face boxes for a dataset, computed once and written as a `csv:`
 * label file, so training can crop as the device does. Each face is placed in camera frames, the
 * shipped BlazeFace finds it, and the mean box (in the image's own pixels) is kept; the `.json`
 * sidecar holds the detector's box noise against the true boxes (centre and scale spread, over
 * all placements and within each face), which `agekit train --box-jitter` can imitate.
 *
 * @example
 * agekit boxes --dataset utkface:../shared/data/utkface:split=train --out train-boxes.csv
 * agekit train --dataset csv:train-boxes.csv --box-jitter 0.03,0.02,0.03 ...
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { detectDatasetBoxes, writeDetectorBoxes } from '../host/data/detector-boxes.ts';
import { addSceneOptions, openPathDetector, type CameraPathFlags } from './camera-path-options.ts';
import { datasetSummary } from './dataset-summary.ts';
import { intArg } from './options.ts';
import { createProgress } from './progress.ts';

interface BoxesFlags extends Omit<CameraPathFlags, 'path'> { dataset: string; out: string; placements: number }

export function registerBoxes(program: Command): void {
  const cmd = program.command('boxes')
    .description('detect every face of a dataset as the device does (camera frames, shipped BlazeFace) and cache the boxes as a csv: label file with the detector\'s box noise')
    .requiredOption('--dataset <spec>', 'faces, e.g. utkface:<dir>:split=train')
    .requiredOption('--out <file.csv>', 'label file to write (path,age,split,x,y,w,h,found,score) and its .json sidecar')
    .option('--placements <n>', 'camera frames per face; the cached box is their mean', intArg('--placements', { min: 1 }), 2);
  addSceneOptions(cmd).action(async (f: BoxesFlags) => {
    if (!/\.csv$/i.test(f.out)) throw new UsageError(`expected a .csv file (got "${f.out}")`, { where: '--out', hint: 'e.g. --out train-boxes.csv' });
    const ds = await loadDataset(f.dataset);
    process.stderr.write(datasetSummary(ds) + '\n');
    const { detector, scene } = await openPathDetector(f);
    process.stderr.write(`${f.placements} camera frame(s) per face: ${scene.frameSize.join('x')}, faces ${scene.facePx.join('-')} px, scene seed ${scene.seed}, detector ${scene.detector}\n`);
    const progress = createProgress('boxes', ds.samples.length);
    try {
      const r = await detectDatasetBoxes(ds, { detector, placements: f.placements, seed: f.sceneSeed, frameSize: f.frame, facePx: f.facePx, onProgress: (d) => progress.update(d) });
      progress.stop();
      await writeDetectorBoxes(r, f.out, { dataset: f.dataset, detector: scene.detector, frame: scene.frameSize, face_px: scene.facePx, scene_seed: scene.seed });
      const n = r.noise;
      const never = r.boxes.filter((d) => d.found === 0).length;
      process.stdout.write(JSON.stringify({ out: resolve(f.out), faces: r.boxes.length, never_found: never, box_noise: n ?? null }) + '\n');
      if (n) {
        const w = (v: { mean: number; sd: number; withinFaceSd?: number }) => `mean ${v.mean.toFixed(3)} sd ${v.sd.toFixed(3)}${v.withinFaceSd !== undefined ? ` within-face sd ${v.withinFaceSd.toFixed(3)}` : ''}`;
        process.stderr.write(`box noise over ${n.n} detections of ${n.faces} faces: dx ${w(n.dx)}; dy ${w(n.dy)}; scale ${w(n.scale)}; IoU ${n.iou.toFixed(3)}\n`);
      }
      process.stderr.write(`wrote ${resolve(f.out)} (${r.boxes.length} faces, ${never} never found: typical box) and its .json\n`);
    } finally {
      await detector.close();
    }
  });
}
