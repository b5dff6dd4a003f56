/**
 * `agekit calibrate build`: a representative set (stratified crops + manifest) for full-integer
 * quantization; `agekit calibrate ages`: fit a monotone correction of a model's predicted age on
 * labelled data and store it in the model's metadata (the device applies it).
 *
 * @example
 * agekit calibrate build --dataset utkface:data:split=train --samples 500 --model runs/m64 --out calib/m64
 * agekit calibrate ages --model student.tflite --dataset utkface:data:split=val --out student-cal.tflite
 */
import { Command, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { PREPROCESSINGS, type Preprocessing } from '../core/contract/preprocessing.ts';
import type { CropSpec } from '../core/contract/face-crop.ts';
import { isTflitePath } from '../core/runtime/open-runner.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../core/runtime/model-runner.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { buildRepresentativeSet } from '../calibration/build-representative-set.ts';
import { readModelMetadata, writeModelMetadata } from '../calibration/model-metadata-file.ts';
import { predictRawAges } from '../calibration/predict-raw-ages.ts';
import { AGE_CALIBRATION_METHODS, fitAgeCalibration, type AgeCalibrationMethod } from '../calibration/fit-age-calibration.ts';
import { calibrationJson, formatCalibrationTable } from '../calibration/age-calibration-report.ts';
import { backendOption, floatArg, intArg } from './options.ts';
import { threadsFlag } from '../device/cli/cli-args.ts';
import { createProgress } from './progress.ts';
import { datasetSummary } from './dataset-summary.ts';
import { useTrainingBackend } from './training-backend.ts';
import { loadTeacher } from '../host/distill/teacher-registry.ts';
import { evaluateTeacher } from '../host/distill/teacher-eval.ts';

interface BuildFlags { dataset: string; samples: number; out: string; inputSize?: [number, number]; model?: string; preprocessing?: Preprocessing; margin?: number; seed: number }
interface AgesFlags { model?: string; teacher?: string; dataset: string; method: AgeCalibrationMethod; holdout: number; seed: number; out?: string; json?: string; dryRun?: boolean; batch: number; backend: BackendChoice; runtime?: RuntimeName; threads?: number }

/** `96` or `96x96` -> [96, 96]. */
function sizeArg(value: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(value.trim());
  const h = m ? Number(m[1]) : NaN, w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(h > 0 && w > 0)) throw new UsageError(`expected a size such as 96 or 96x96 (got "${value}")`, { where: '--input-size' });
  return [h, w];
}

export function registerCalibrate(program: Command): void {
  const cal = program.command('calibrate').description('representative sets for int8 conversion, and age-output calibration');

  cal.command('build')
    .description('draw a sample stratified by age decade and store its face crops (uint8) with a manifest, for agekit convert --quantize int8 --calibration <dir>')
    .requiredOption('--dataset <spec>', 'data to draw from, e.g. utkface:<dir>:split=train (unlabelled data is drawn uniformly)')
    .requiredOption('--out <dir>', 'folder to write (crops.u8 + manifest.json)')
    .option('--samples <n>', 'crops to store', intArg('--samples', { min: 1 }), 500)
    .option('--model <path>', 'take input size, preprocessing and crop from this checkpoint/run folder or .tflite')
    .option('--input-size <hxw>', 'crop size, e.g. 96 or 96x96 (when no --model)', sizeArg)
    .addOption(new Option('--preprocessing <name>', "normalization recorded for the set (default: the model's, else vggface2)").choices([...PREPROCESSINGS]))
    .option('--margin <m>', "crop margin per side, fraction of the face box (default: the model's, else the dataset's)", floatArg('--margin', { min: 0, max: 2 }))
    .option('--seed <n>', 'seed of the draw', intArg('--seed', { min: 0 }), 0)
    .action(async (f: BuildFlags) => {
      const model = f.model ? (await readModelMetadata(f.model)).meta : undefined;
      if (model && f.inputSize && (f.inputSize[0] !== model.inputSize[0] || f.inputSize[1] !== model.inputSize[1])) {
        throw new UsageError(`--input-size ${f.inputSize.join('x')} differs from the model's ${model.inputSize.join('x')}`, { where: '--input-size', hint: 'drop --input-size to use the model\'s' });
      }
      const inputSize = f.inputSize ?? model?.inputSize;
      if (!inputSize) throw new UsageError('needs the crop size', { where: '--input-size', hint: 'pass --input-size 96 or --model <checkpoint|.tflite>' });
      const baseCrop: CropSpec | undefined = model?.crop;
      const crop = f.margin !== undefined ? { square: baseCrop?.square ?? true, margin: f.margin } : baseCrop;
      const preprocessing = f.preprocessing ?? model?.preprocessing ?? 'vggface2';
      const progress = createProgress('crops', f.samples);
      const r = await buildRepresentativeSet({ dataset: f.dataset, samples: f.samples, out: f.out, inputSize, preprocessing, crop, seed: f.seed, onProgress: (d) => progress.update(d) });
      progress.stop();
      for (const s of r.skipped.slice(0, 5)) process.stderr.write(`skipped ${s.path}: ${s.reason}\n`);
      const m = r.manifest;
      process.stdout.write(JSON.stringify({ out: f.out, count: m.count, input_size: m.inputSize, preprocessing: m.preprocessing, crop: m.crop, per_decade: m.perDecade, stratification: m.stratification, skipped: r.skipped.length }) + '\n');
      process.stderr.write(`representative set of ${m.count} crops (${m.inputSize.join('x')}, ${m.preprocessing}) written to ${f.out}\n`);
    });

  cal.command('ages')
    .description("fit a monotone correction of predicted age (isotonic or per-decade bias) on labelled data, report held-apart MAE and signed error per decade before/after, store it in the model's metadata")
    .option('--model <path>', 'checkpoint/run folder or .tflite with agekit metadata')
    .option('--teacher <name|json>', 'measure a teacher (faceres, faceapi or a teacher JSON) instead: report only, nothing is stored')
    .requiredOption('--dataset <spec>', 'labelled data, e.g. utkface:<dir>:split=val (not the training data)')
    .addOption(new Option('--method <m>', 'auto keeps the one with the lower held-apart MAE').choices([...AGE_CALIBRATION_METHODS]).default('auto'))
    .option('--holdout <share>', 'share of faces held apart to score the fit', floatArg('--holdout', { min: 0.01, max: 0.99 }), 0.3)
    .option('--seed <n>', 'seed of the fit/held-apart split', intArg('--seed', { min: 0 }), 0)
    .option('--out <path>', 'write a calibrated copy here (folder for a checkpoint, .tflite path for a .tflite) instead of changing the model in place')
    .option('--json <file>', 'write the report as JSON')
    .option('--dry-run', 'report only; leave the model unchanged')
    .option('--batch <n>', 'batch size', intArg('--batch', { min: 1 }), 32)
    .addOption(backendOption())
    .addOption(new Option('--runtime <name>', 'for .tflite files: tflite (native) or tflite-wasm').choices(RUNTIME_NAMES.filter((r) => r !== 'tfjs')))
    .option('--threads <n>', 'TFLite threads', threadsFlag('--threads'))
    .action(async (f: AgesFlags) => {
      if (!f.model === !f.teacher) throw new UsageError('pass exactly one of --model and --teacher', { where: f.model ? '--teacher' : '--model' });
      if (f.teacher) return calibrateTeacherAges(f);
      const model = f.model!;
      if (f.out && isTflitePath(model) !== isTflitePath(f.out)) {
        throw new UsageError(`--out ${f.out} must be ${isTflitePath(model) ? 'a .tflite path' : 'a folder'} like --model`, { where: '--out' });
      }
      if (!isTflitePath(model)) await useTrainingBackend(f.backend, { training: false });
      else process.stderr.write(`runtime ${f.runtime ?? 'tflite'} (TFLite)\n`);
      const file = await readModelMetadata(model);
      const dataset = await loadDataset(f.dataset);
      process.stderr.write(datasetSummary(dataset) + '\n');
      const progress = createProgress('predict', dataset.samples.length);
      const raw = await predictRawAges(model, dataset, { runtime: f.runtime, threads: f.threads, batchSize: f.batch, onBatch: (d) => progress.update(d) });
      progress.stop();
      const fit = fitAgeCalibration(raw.predictions, raw.truths, { method: f.method, holdout: f.holdout, seed: f.seed, fittedOn: f.dataset });
      process.stdout.write(formatCalibrationTable(fit));
      let written: string | undefined;
      if (!f.dryRun) {
        written = await writeModelMetadata(file, { ...file.meta, ageCalibration: fit.calibration }, f.out);
        process.stderr.write(`${fit.chosen} calibration stored in ${written}${file.meta.ageCalibration ? ' (replacing the previous one)' : ''}\n`);
      }
      if (f.json) {
        await writeFileAtomic(f.json, JSON.stringify(calibrationJson(fit, raw.predictorName, f.dataset, written), null, 2) + '\n');
        process.stderr.write(`report written to ${f.json}\n`);
      }
    });
}

/** `calibrate ages --teacher`: the same fit and report on a teacher's predictions (its own crop and input); nothing is stored. */
async function calibrateTeacherAges(f: AgesFlags): Promise<void> {
  await useTrainingBackend(f.backend, { training: false });
  const teacher = await loadTeacher(f.teacher!);
  const dataset = await loadDataset(f.dataset);
  process.stderr.write(datasetSummary(dataset) + '\n');
  process.stderr.write(`teacher ${teacher.name}: input ${teacher.inputSize.join('x')}, crop margin ${teacher.descriptor.crop.margin} (report only: a teacher has no agekit metadata to store a calibration in)\n`);
  const progress = createProgress('predict', dataset.samples.length);
  const r = await evaluateTeacher(teacher, dataset.samples, { batchSize: f.batch, onProgress: (d) => progress.update(d) });
  progress.stop();
  const fit = fitAgeCalibration(r.predictions, r.truths, { method: f.method, holdout: f.holdout, seed: f.seed, fittedOn: f.dataset });
  process.stdout.write(formatCalibrationTable(fit));
  if (f.json) {
    await writeFileAtomic(f.json, JSON.stringify({ ...calibrationJson(fit, `teacher ${teacher.name}`, f.dataset), ms_per_face: r.msPerFace }, null, 2) + '\n');
    process.stderr.write(`report written to ${f.json}\n`);
  }
}
