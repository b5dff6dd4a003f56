/**
 * `agekit compare`: a teacher and students measured in one run on this machine (MAE, bias,
 * parameters, multiply-adds, file size, ms per image at batch 1, images/s at batch 32,
 * speed-up over the teacher), as a table on stdout, optionally JSON and a PNG plot.
 *
 * @example
 * agekit compare --models faceres,runs/kd-mixed,runs/gt-only --dataset utkface:../shared/data/utkface:split=val --plot compare.png
 */
import type { Command } from 'commander';
import { initBackend, type BackendChoice } from '../core/backend/tfjs-backend.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { UsageError } from '../core/errors.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { compareJson, compareModels, formatCompareTable } from '../host/distill/compare.ts';
import { writeComparePlot } from '../host/distill/compare-plot.ts';
import { datasetSummary } from './dataset-summary.ts';
import { backendOption, intArg } from './options.ts';
import { addCameraPathOptions, openPathDetector, type CameraPathFlags } from './camera-path-options.ts';

interface CompareFlags extends CameraPathFlags { models: string[]; dataset: string; limit?: number; json?: string; plot?: string; backend: BackendChoice }

export function registerCompare(program: Command): void {
  const cmd = program.command('compare')
    .description('measure a teacher and students in one run: MAE, bias, size, cost, latency, throughput, speed-up (table, --json, --plot)')
    .requiredOption('--models <list>', 'comma-separated: teachers (faceres, faceapi, teacher JSON), run folders, checkpoints, .tflite files', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .requiredOption('--dataset <spec>', 'labelled faces, e.g. utkface:<dir>:split=val')
    .option('--limit <n>', 'a seeded random subset of this many faces (the teacher is slow)', intArg('--limit', { min: 1 }))
    .option('--json <file>', 'also write the table as JSON')
    .option('--plot <file.png>', 'also draw MAE against ms per image')
    .addOption(backendOption());
  addCameraPathOptions(cmd)
    .action(async (flags: CompareFlags) => {
      if (flags.models.length === 0) throw new UsageError('names no model', { where: '--models', hint: 'e.g. --models faceres,runs/student' });
      if (flags.path === 'camera') throw new UsageError('compare always measures the chip path (speed is timed on it)', { where: '--path camera', hint: 'use --path both' });
      const backend = await initBackend(flags.backend);
      process.stderr.write(`backend ${backend.name}: ${backend.detail}\n`);
      const spec = flags.limit && !/:limit=/.test(flags.dataset) ? `${flags.dataset}:limit=${flags.limit}` : flags.dataset;
      const ds = await loadDataset(spec);
      process.stderr.write(datasetSummary(ds) + '\n');
      const path = flags.path === 'both' ? await openPathDetector(flags) : undefined;
      if (path) process.stderr.write(`camera path: ${path.scene.frameSize.join('x')} frames, faces ${path.scene.facePx.join('-')} px, scene seed ${path.scene.seed}, detector ${path.scene.detector}\n`);
      let rows;
      try {
        rows = await compareModels(flags.models, ds, {
          onStatus: (l) => process.stderr.write(l + '\n'),
          camera: path && { detector: path.detector, seed: flags.sceneSeed, frameSize: flags.frame, facePx: flags.facePx },
        });
      } finally {
        await path?.detector.close();
      }
      process.stdout.write(formatCompareTable(rows));
      if (flags.json) {
        await writeFileAtomic(flags.json, JSON.stringify(compareJson(rows, spec, backend.detail), null, 2) + '\n');
        process.stderr.write(`wrote ${flags.json}\n`);
      }
      if (flags.plot) {
        await writeComparePlot(rows, flags.plot);
        process.stderr.write(`wrote ${flags.plot}\n`);
      }
    });
}
