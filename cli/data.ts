/**
 * `agekit data check <spec>`: load a dataset the way training will, and say what is in it:
 * usable samples, samples per split, ages by decade, what was skipped and why (with the first
 * paths), plus a mosaic PNG of 20 random preprocessed crops with their ages written on them.
 *
 * @example
 * agekit data check utkface:../shared/data/utkface:split=val --json val-check.json
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import sharp from 'sharp';
import { PREPROCESSINGS, type Preprocessing } from '../core/contract/preprocessing.ts';
import { UsageError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { AUGMENTATIONS } from '../host/data/augmentation.ts';
import type { Augmentation } from '../host/data/batch-stream.ts';
import { DECADES, summarizeDataset, writeDataMosaic, type DataCheckReport } from '../host/data/data-check.ts';
import { datasetLoaders, loadDataset } from '../host/data/load-dataset.ts';
import { IMAGE_VERIFICATIONS, type ImageVerification } from '../host/data/verify-images.ts';
import { intArg } from './options.ts';
import { createProgress, type Progress } from './progress.ts';

interface DataCheckFlags {
  json?: string;
  mosaic?: string;
  inputSize: [number, number];
  preprocessing: Preprocessing;
  augmentation: Augmentation;
  verify: ImageVerification;
  count: number;
  seed: number;
}

/** Parse `96` or `112x96` (height x width) for --input-size. */
export function parseInputSize(value: string): [number, number] {
  const m = /^(\d+)(?:[x,](\d+))?$/.exec(value.trim());
  const h = m ? Number(m[1]) : NaN, w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(h >= 8 && w >= 8 && h <= 1024 && w <= 1024)) throw new UsageError(`expected a size like 96 or 112x96, 8..1024 (got "${value}")`, { where: '--input-size' });
  return [h, w];
}

/** Where the mosaic goes by default: beside the JSON (`<name>-mosaic.png`), else in the current folder. */
export function defaultMosaicPath(json: string | undefined): string {
  if (!json) return resolve('data-check-mosaic.png');
  const base = basename(json, extname(json));
  return resolve(dirname(json), `${base}-mosaic.png`);
}

/** The human-readable report (stdout). */
export function formatDataCheck(r: DataCheckReport): string {
  const lines: string[] = [];
  lines.push(`dataset ${r.spec} (${r.kind}, ${r.root})`);
  lines.push(`usable samples: ${r.n}${r.labelled !== r.n ? ` (${r.labelled} labelled)` : ''}`);
  if (r.splits.length > 0) lines.push(`splits: ${r.splits.join(', ')}; usable: ${Object.entries(r.by_split).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`);
  if (r.age) lines.push(`age: min ${r.age.min}, max ${r.age.max}, mean ${r.age.mean.toFixed(1)}`);
  if (r.labelled > 0) {
    lines.push('ages by decade:');
    const most = Math.max(1, ...Object.values(r.by_decade));
    for (const d of DECADES) {
      const n = r.by_decade[d] ?? 0;
      lines.push(`  ${d.padStart(7)} ${String(n).padStart(7)} ${'#'.repeat(Math.round((40 * n) / most))}`);
    }
  }
  const total = Object.values(r.skipped).reduce((a, b) => a + b, 0);
  lines.push(`skipped: ${total}`);
  for (const [reason, n] of Object.entries(r.skipped)) {
    lines.push(`  ${reason}: ${n}`);
    for (const p of r.skipped_examples[reason] ?? []) lines.push(`    ${p}`);
  }
  return lines.join('\n');
}

export function registerData(program: Command): void {
  // exitOverride before the subcommand exists, so `check` inherits it: a bad flag value then
  // reaches main() as a CommanderError (exit code 2) instead of commander calling process.exit.
  const data = program.command('data').description('inspect datasets: counts, ages, skipped items, a mosaic of preprocessed crops').exitOverride();
  data.command('check')
    .description('load a dataset spec and report usable samples, splits, ages by decade, skipped items and a crop mosaic')
    .argument('<spec>', `dataset spec: ${datasetLoaders().map((l) => l.usage).join(', ')}; suffixes :split=<name>, :fold=<n,...>, :limit=<n>`)
    .option('--json <file>', 'also write the report as JSON (n, skipped, by_split, by_decade, ...)')
    .option('--mosaic <file.png>', 'mosaic path (default: beside --json as <name>-mosaic.png, else ./data-check-mosaic.png)')
    .option('--input-size <n|HxW>', 'crop size of the mosaic tiles', parseInputSize, [96, 96] as [number, number])
    .addOption(new Option('--preprocessing <mode>', 'normalization applied (and undone) for the mosaic').choices([...PREPROCESSINGS]).default('vggface2'))
    .addOption(new Option('--augmentation <mode>', 'augmentation of the mosaic crops').choices([...AUGMENTATIONS]).default('no'))
    .addOption(new Option('--verify <level>', 'image check at load: quick = header and end marker, full = decode every image').choices([...IMAGE_VERIFICATIONS]).default('quick'))
    .option('--count <n>', 'crops in the mosaic', intArg('--count', { min: 1, max: 200 }), 20)
    .option('--seed <n>', 'seed of the mosaic sample and augmentation', intArg('--seed', { min: 0 }), 0)
    .action(async (spec: string, flags: DataCheckFlags) => {
      const v = sharp.versions;
      process.stderr.write(`decoding with sharp ${v.sharp ?? ''} (libvips ${v.vips}); no tfjs backend needed\n`);
      let progress: Progress | undefined;
      const ds = await loadDataset(spec, {
        verifyImages: flags.verify,
        onVerifyProgress: (done, n) => { (progress ??= createProgress(`verify images (${flags.verify})`, n)).update(done); },
      });
      progress?.stop();
      const mosaic = flags.mosaic ? resolve(flags.mosaic) : defaultMosaicPath(flags.json);
      const tiles = ds.samples.length > 0
        ? await writeDataMosaic(ds, mosaic, { inputSize: flags.inputSize, preprocessing: flags.preprocessing, augmentation: flags.augmentation, count: flags.count, seed: flags.seed })
        : 0;
      const report = summarizeDataset(ds);
      if (tiles > 0) report.mosaic = mosaic;
      process.stdout.write(formatDataCheck(report) + '\n');
      if (tiles > 0) process.stderr.write(`mosaic of ${tiles} ${flags.inputSize.join('x')} crops (${flags.preprocessing}, augmentation ${flags.augmentation}): ${mosaic}\n`);
      else process.stderr.write('no usable samples: no mosaic written\n');
      if (flags.json) {
        await writeFileAtomic(flags.json, JSON.stringify(report, null, 2) + '\n');
        process.stderr.write(`report: ${resolve(flags.json)}\n`);
      }
    });
}
