/**
 * `agekit relabel`: a teacher labels every face of a dataset into a CSV that loads as
 * `relabel:<file>` (teacher labels + ground truth) or `csv:<file>` (ground truth only).
 * Killed and restarted with the same flags, it continues where it stopped.
 *
 * @example
 * agekit relabel --teacher faceres --dataset utkface:../shared/data/utkface --out runs/faceres.csv
 */
import { Option, type Command } from 'commander';
import { initBackend, type BackendChoice } from '../core/backend/tfjs-backend.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { relabelSamples } from '../host/distill/relabel.ts';
import { scoreRelabelFile } from '../host/distill/relabel-score.ts';
import { loadTeacher } from '../host/distill/teacher-registry.ts';
import { datasetSummary } from './dataset-summary.ts';
import { backendOption, floatArg, intArg } from './options.ts';
import { createProgress } from './progress.ts';

interface RelabelFlags { teacher: string; dataset: string; out: string; batch: number; margin?: number; order: 'shuffled' | 'dataset'; seed: number; backend: BackendChoice }

export function registerRelabel(program: Command): void {
  program.command('relabel')
    .description('label every face of a dataset with a teacher into a CSV (resumable; load it as relabel:<file>)')
    .requiredOption('--teacher <name|json>', 'teacher: faceres, faceapi, or a teacher descriptor JSON (see agekit teachers)')
    .requiredOption('--dataset <spec>', 'faces to label, labelled or not, e.g. folder:<dir> or utkface:<dir>:split=train')
    .requiredOption('--out <file.csv>', 'output CSV (its sidecar is <file.csv>.json); an existing one is resumed')
    .option('--batch <n>', 'faces per teacher call', intArg('--batch', { min: 1, max: 1024 }), 16)
    .option('--margin <m>', "override the teacher's crop margin (fraction of the face box per side; negative = centre crop)", floatArg('--margin', { min: -0.45, max: 2 }))
    .addOption(new Option('--order <order>', 'labelling order: shuffled (seeded; a file cut short is a random subset) or dataset').choices(['shuffled', 'dataset']).default('shuffled'))
    .option('--seed <n>', 'seed of the shuffled order', intArg('--seed', { min: 0 }), 0)
    .addOption(backendOption())
    .action(async (flags: RelabelFlags) => {
      const backend = await initBackend(flags.backend);
      process.stderr.write(`backend ${backend.name}: ${backend.detail}\n`);
      const ds = await loadDataset(flags.dataset);
      process.stderr.write(datasetSummary(ds) + '\n');
      const teacher = await loadTeacher(flags.teacher, { margin: flags.margin });
      process.stderr.write(`teacher ${teacher.name}: ${teacher.descriptor.model}, input ${teacher.inputSize.join('x')}, crop margin ${teacher.descriptor.crop.margin}\n`);
      const progress = createProgress('relabel', ds.samples.length);
      const started = Date.now();
      let firstDone = -1;
      const result = await relabelSamples({
        teacher, teacherId: flags.teacher, samples: ds.samples, datasetSpec: flags.dataset, out: flags.out, batchSize: flags.batch, order: flags.order, seed: flags.seed,
        onProgress: (done) => {
          if (firstDone < 0) firstDone = done;
          const s = (Date.now() - started) / 1000;
          progress.update(done, { 'faces/s': s > 0 ? (done - firstDone) / s : 0 });
        },
        onSkip: (_, reason) => process.stderr.write(`relabel: skipped ${reason}\n`),
      });
      progress.stop();
      await teacher.close();
      if (result.resumed > 0) process.stderr.write(`resumed: ${result.resumed} faces were already labelled${result.droppedBytes ? `, dropped a half-written line (${result.droppedBytes} bytes)` : ''}\n`);
      process.stderr.write(`wrote ${result.out} (+ ${result.out}.json): ${result.labelled} labelled now, ${result.resumed} before, ${result.skipped} unreadable; load it as relabel:${result.out}\n`);
      // Where the faces had ground truth, say how good the labels are (per split when there are splits).
      const splits = [...new Set(ds.samples.map((s) => s.split).filter((s): s is string => s !== undefined))].sort();
      const scores: Record<string, { n: number; mae: number; bias: number }> = {};
      for (const split of splits.length ? splits : [undefined]) {
        const m = await scoreRelabelFile(result.out, split);
        if (!m) continue;
        scores[split ?? 'all'] = { n: m.n, mae: m.mae, bias: m.bias };
        process.stderr.write(`teacher vs ground truth${split ? ` (${split})` : ''}: n ${m.n}, MAE ${m.mae.toFixed(2)}, bias ${m.bias.toFixed(2)}\n`);
      }
      process.stdout.write(JSON.stringify({ out: result.out, total: result.total, labelled: result.labelled, resumed: result.resumed, skipped: result.skipped, teacher: teacher.name, seconds: (Date.now() - started) / 1000, teacher_vs_truth: scores }) + '\n');
    });
}
