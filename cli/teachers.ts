/**
 * `agekit teachers`: the teachers agekit can load, with their input size and crop; with
 * --dataset, the MAE each reaches there (and with --margins, a crop sweep of one teacher).
 *
 * @example
 * agekit teachers --dataset utkface:../shared/data/utkface:split=val --limit 200
 * agekit teachers --teacher faceres --dataset utkface:../shared/data/utkface:split=val:limit=150 --margins=-0.1,0,0.1,0.2
 */
import type { Command } from 'commander';
import { initBackend, type BackendChoice } from '../core/backend/tfjs-backend.ts';
import { UsageError } from '../core/errors.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import type { Sample } from '../host/data/dataset.ts';
import { evaluateTeacher } from '../host/distill/teacher-eval.ts';
import { builtinTeacherNames, createTeacher, resolveTeacherDescriptor } from '../host/distill/teacher-registry.ts';
import { datasetSummary } from './dataset-summary.ts';
import { backendOption, intArg } from './options.ts';
import { createProgress } from './progress.ts';

interface TeachersFlags { teacher?: string[]; dataset?: string; limit?: number; margins?: number[]; batch: number; json: boolean; backend: BackendChoice }

function marginList(value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((m) => !Number.isFinite(m) || m <= -0.5 || m > 2)) {
    throw new UsageError(`expected comma-separated margins in (-0.5, 2] (got "${value}")`, { where: '--margins' });
  }
  return list;
}

const pad = (s: string, n: number) => s.padEnd(n);

export function registerTeachers(program: Command): void {
  program.command('teachers')
    .description('list the teachers (built-in and --teacher JSON files) with input size and crop; with --dataset, the MAE each reaches')
    .option('--teacher <name|json...>', `teachers to list (default: the built-in ones, ${builtinTeacherNames().join(', ')})`)
    .option('--dataset <spec>', 'labelled faces to measure each teacher on, e.g. utkface:<dir>:split=val')
    .option('--limit <n>', 'measure on a seeded random subset of this many faces (faceres takes ~0.1 s per face)', intArg('--limit', { min: 1 }))
    .option('--margins <list>', 'crop margins to try per teacher (negative = centre crop), e.g. -0.1,0,0.1,0.2', marginList)
    .option('--batch <n>', 'faces per teacher call', intArg('--batch', { min: 1, max: 1024 }), 16)
    .option('--json', 'print JSON lines instead of a table', false)
    .addOption(backendOption())
    .action(async (flags: TeachersFlags) => {
      const ids = flags.teacher ?? builtinTeacherNames();
      const descs = await Promise.all(ids.map((id) => resolveTeacherDescriptor(id)));
      let samples: Sample[] | undefined;
      if (flags.dataset) {
        const backend = await initBackend(flags.backend);
        process.stderr.write(`backend ${backend.name}: ${backend.detail}\n`);
        const spec = flags.limit && !/:limit=/.test(flags.dataset) ? `${flags.dataset}:limit=${flags.limit}` : flags.dataset;
        const ds = await loadDataset(spec);
        process.stderr.write(datasetSummary(ds) + '\n');
        samples = ds.samples;
      } else if (flags.margins) {
        throw new UsageError('needs --dataset to measure the margins on', { where: '--margins' });
      }
      if (!flags.json) {
        process.stdout.write(`${pad('teacher', 10)} ${pad('kind', 19)} ${pad('input', 8)} ${pad('margin', 7)} ${samples ? `${pad('n', 6)} ${pad('MAE', 6)} ${pad('bias', 6)} ${pad('ms/face', 8)} ` : ''}model\n`);
      }
      for (const desc of descs) {
        for (const margin of flags.margins ?? [desc.crop.margin]) {
          const row: Record<string, unknown> = { teacher: desc.name, kind: desc.kind, input: desc.inputSize, margin, model: desc.model, description: desc.description };
          if (samples) {
            const teacher = await createTeacher({ ...desc, crop: { ...desc.crop, margin } });
            const progress = createProgress(`${desc.name} margin ${margin}`, samples.length);
            const r = await evaluateTeacher(teacher, samples, { batchSize: flags.batch, onProgress: (d) => progress.update(d) });
            progress.stop();
            await teacher.close();
            Object.assign(row, { n: r.metrics.n, mae: r.metrics.mae, bias: r.metrics.bias, ms_per_face: r.msPerFace, parameters: teacher.parameters, by_decade: r.metrics.byDecade });
          }
          if (flags.json) { process.stdout.write(JSON.stringify(row) + '\n'); continue; }
          const measured = samples ? `${pad(String(row.n), 6)} ${pad((row.mae as number).toFixed(2), 6)} ${pad((row.bias as number).toFixed(2), 6)} ${pad((row.ms_per_face as number).toFixed(1), 8)} ` : '';
          process.stdout.write(`${pad(desc.name, 10)} ${pad(desc.kind, 19)} ${pad(desc.inputSize.join('x'), 8)} ${pad(String(margin), 7)} ${measured}${desc.model}\n`);
        }
      }
    });
}
