/**
 * `agekit corrupt --dataset <spec> --out <dir>`: corrupted copies of a dataset (13 corruptions x
 * 5 severities, as LFW+C), each with a labels.csv that loads as `csv:<dir>/<corruption>/<severity>/labels.csv`.
 *
 * @example
 * agekit corrupt --dataset lfwplus:/data/lfwplus --out lfwplus-c --corruptions motion_blur,jpeg_compression --severities 1,3,5
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import sharp from 'sharp';
import { AgekitError, UsageError } from '../core/errors.ts';
import { CORRUPTION_NAMES, type CorruptionName, type Severity } from '../host/corruptions/corruption.ts';
import { parseCorruptionList, parseSeverityList } from '../host/corruptions/corruption-table.ts';
import { writeCorruptedDataset, type CorruptedFormat } from '../host/corruptions/write-corrupted-dataset.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { intArg } from './options.ts';
import { createProgress } from './progress.ts';

interface CorruptFlags {
  dataset: string;
  out: string;
  corruptions: CorruptionName[];
  severities: Severity[];
  seed: number;
  format: CorruptedFormat;
}

/** Turn a list parser's DataError into a UsageError (exit code 2): the bad value came from a flag. */
export function flagParser<T>(parse: (value: string, where: string) => T, flag: string) {
  return (value: string): T => {
    try {
      return parse(value, flag);
    } catch (err) {
      if (err instanceof AgekitError) throw new UsageError(err.message.replace(`${flag}: `, ''), { where: flag });
      throw err;
    }
  };
}

export function registerCorrupt(program: Command): void {
  program.command('corrupt')
    .description('write corrupted copies of a dataset (13 corruptions x 5 severities, as LFW+C) with a labels CSV each')
    .requiredOption('--dataset <spec>', 'dataset spec, e.g. lfwplus:<root> or utkface:<dir>:split=val')
    .requiredOption('--out <dir>', 'output folder: <dir>/<corruption>/<severity>/{images, labels.csv} and manifest.json')
    .addOption(new Option('--corruptions <list>', `all, or a comma list of ${CORRUPTION_NAMES.join(', ')}`).argParser(flagParser(parseCorruptionList, '--corruptions')).default([...CORRUPTION_NAMES], 'all'))
    .addOption(new Option('--severities <list>', 'comma list of severities 1..5').argParser(flagParser(parseSeverityList, '--severities')).default([1, 2, 3, 4, 5] as Severity[], '1,2,3,4,5'))
    .option('--seed <n>', 'seed of the random corruptions (image i uses seed mixed with i)', intArg('--seed', { min: 0 }), 0)
    .addOption(new Option('--format <f>', 'image format of the copies').choices(['png', 'jpeg']).default('png'))
    .action(async (flags: CorruptFlags) => {
      const { corruptions, severities } = flags;
      process.stderr.write(`corrupting on the CPU in JavaScript, sharp ${sharp.versions.sharp ?? ''} (libvips ${sharp.versions.vips}) for decode/JPEG; no tfjs backend needed\n`);
      const ds = await loadDataset(flags.dataset);
      const out = resolve(flags.out);
      const progress = createProgress(`corrupt x${corruptions.length * severities.length}`, ds.samples.length);
      const summary = await writeCorruptedDataset(ds, { out, corruptions, severities, seed: flags.seed, format: flags.format, onProgress: (d) => progress.update(d) });
      progress.stop();
      const skippedLoad = Object.values(ds.skipped.counts).reduce((a, b) => a + b, 0);
      const skippedRead = Object.values(summary.skipped.counts).reduce((a, b) => a + b, 0);
      process.stdout.write(JSON.stringify({ dataset: flags.dataset, out, images: summary.images, corruptions, severities, skipped_at_load: ds.skipped.counts, skipped_unreadable: summary.skipped.counts }) + '\n');
      process.stderr.write(`${summary.images} images x ${corruptions.length} corruptions x ${severities.length} severities written to ${out} (labels: ${out}/<corruption>/<severity>/labels.csv, manifest.json)`
        + `${skippedLoad + skippedRead ? `; skipped ${skippedLoad} at load, ${skippedRead} unreadable` : ''}\n`);
    });
}
