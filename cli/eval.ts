/**
 * `agekit eval`: MAE, MSE, bias, per-decade errors, error thresholds and images/s of a model
 * (run folder, checkpoint or .tflite file) on a labelled dataset; a table on stdout, optional
 * JSON report and mosaic PNG.
 *
 * @example
 * agekit eval --model runs/m64 --dataset utkface:data:split=val --json val.json --mosaic val.png
 */
import { Command, Option } from 'commander';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { UsageError } from '../core/errors.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../core/runtime/model-runner.ts';
import { isTflitePath } from '../core/runtime/open-runner.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { openAgePredictor } from '../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../host/eval/evaluate.ts';
import { evalJson, formatEvalTable } from '../host/eval/eval-report.ts';
import { writePredictionMosaic } from '../host/eval/prediction-mosaic.ts';
import { metricsToJson } from '../host/eval/metrics.ts';
import type { AgePredictor } from '../host/eval/age-predictor.ts';
import type { Dataset } from '../host/data/dataset.ts';
import { backendOption, intArg } from './options.ts';
import { threadsFlag } from '../device/cli/cli-args.ts';
import { createProgress } from './progress.ts';
import { datasetSummary } from './dataset-summary.ts';
import { addEvalProtocolOptions, runEvalProtocol, type EvalProtocolFlags } from './eval-protocol.ts';
import { useTrainingBackend } from './training-backend.ts';
import { addCameraPathOptions, openPathDetector, type CameraPathFlags } from './camera-path-options.ts';
import { evaluateCameraPath, predictorCropModel } from '../host/eval/camera-path.ts';
import { cameraPathJson, formatCameraPathTable } from '../host/eval/camera-path-report.ts';

interface EvalFlags extends EvalProtocolFlags, CameraPathFlags { model: string; dataset: string; json?: string; mosaic?: string; batch: number; backend: BackendChoice; runtime?: RuntimeName; threads?: number }

export function registerEval(program: Command): void {
  const cmd = program.command('eval')
    .description('measure a model (run folder, checkpoint or .tflite) on a labelled dataset: MAE, bias, per decade, images/s')
    .requiredOption('--model <path>', 'run folder (uses best/), checkpoint folder, or .tflite file with agekit metadata')
    .requiredOption('--dataset <spec>', 'labelled data, e.g. utkface:<dir>:split=val')
    .option('--json <file>', 'write the report as JSON (n, mae, mse, bias, by_decade, ...)')
    .option('--mosaic <png>', 'write a mosaic of 20 faces with predicted and true ages')
    .option('--batch <n>', 'batch size', intArg('--batch', { min: 1 }), 32)
    .addOption(backendOption())
    .addOption(new Option('--runtime <name>', 'for .tflite files: tflite (native) or tflite-wasm').choices(RUNTIME_NAMES.filter((r) => r !== 'tfjs')))
    .option('--threads <n>', 'TFLite threads', threadsFlag('--threads'));
  addEvalProtocolOptions(addCameraPathOptions(cmd))
    .action(async (f: EvalFlags) => {
      if (f.path === 'camera' && (f.mosaic || f.errorPlot || f.corruptions)) {
        throw new UsageError('--mosaic, --error-plot and --corruptions measure the chip path', { where: '--path camera', hint: 'use --path both to get them beside the camera path' });
      }
      if (!isTflitePath(f.model)) await useTrainingBackend(f.backend, { training: false });
      const dataset = await loadDataset(f.dataset);
      process.stderr.write(datasetSummary(dataset) + '\n');
      const predictor = await openAgePredictor(f.model, { runtime: f.runtime, threads: f.threads });
      process.stderr.write(`model ${predictor.name}: ${predictor.meta.net}, ${predictor.meta.head} head, input ${predictor.meta.inputSize.join('x')}, ${predictor.meta.preprocessing}\n`);
      try {
        if (f.path === 'camera') {
          await evalCameraPath(f, predictor, dataset, false);
          return;
        }
        const progress = createProgress('eval', dataset.samples.length);
        const result = await evaluateAgePredictor(predictor, dataset, { batchSize: f.batch, onBatch: (done) => progress.update(done) });
        progress.stop();
        process.stdout.write(formatEvalTable(result));
        const camera = f.path === 'both' ? await evalCameraPath(f, predictor, dataset, true) : undefined;
        const protocol = await runEvalProtocol(f, result, predictor, dataset);
        if (f.json) {
          await writeFileAtomic(f.json, JSON.stringify({ ...evalJson(result, predictor.name, f.dataset), path: f.path, ...(camera ? { camera } : {}), ...protocol }, null, 2) + '\n');
          process.stderr.write(`report written to ${f.json}\n`);
        }
        if (f.mosaic) {
          const n = await writePredictionMosaic(result, predictor.meta, f.mosaic);
          process.stderr.write(`mosaic of ${n} predictions written to ${f.mosaic}\n`);
        }
      } finally {
        await predictor.close();
      }
    });
}

/**
 * The camera path of `agekit eval`: prints chip and camera figures side by side. With `--path
 * camera` it also writes the JSON (the camera metrics at the top level); with `both` the caller
 * writes it and gets the `camera` object back.
 */
async function evalCameraPath(f: EvalFlags, predictor: AgePredictor, dataset: Dataset, withChipReport: boolean): Promise<Record<string, unknown>> {
  const { detector, scene } = await openPathDetector(f);
  process.stderr.write(`camera path: ${scene.frameSize.join('x')} frames, faces ${scene.facePx.join('-')} px, scene seed ${scene.seed}, detector ${scene.detector} (${detector.id})\n`);
  const progress = createProgress('camera path', dataset.samples.length);
  try {
    const r = await evaluateCameraPath(predictorCropModel(predictor), dataset, {
      detector, seed: f.sceneSeed, frameSize: f.frame, facePx: f.facePx, batchSize: f.batch, onProgress: (done) => progress.update(done),
    });
    progress.stop();
    if (withChipReport) process.stdout.write('\n');
    process.stdout.write(formatCameraPathTable(r));
    const camera = cameraPathJson(r, scene);
    if (!withChipReport && f.json) {
      const chip = r.chip ? { chip: metricsToJson(r.chip.metrics) } : {};
      await writeFileAtomic(f.json, JSON.stringify({ model: predictor.name, dataset: f.dataset, path: 'camera', ...camera, ...chip }, null, 2) + '\n');
      process.stderr.write(`report written to ${f.json}\n`);
    }
    return camera;
  } finally {
    await detector.close();
  }
}
