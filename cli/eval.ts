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
import { RUNTIME_NAMES, type RuntimeName } from '../core/runtime/model-runner.ts';
import { isTflitePath } from '../core/runtime/open-runner.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import { openAgePredictor } from '../host/eval/open-predictor.ts';
import { evaluateAgePredictor } from '../host/eval/evaluate.ts';
import { evalJson, formatEvalTable } from '../host/eval/eval-report.ts';
import { writePredictionMosaic } from '../host/eval/prediction-mosaic.ts';
import { backendOption, intArg } from './options.ts';
import { createProgress } from './progress.ts';
import { datasetSummary } from './dataset-summary.ts';
import { addEvalProtocolOptions, runEvalProtocol, type EvalProtocolFlags } from './eval-protocol.ts';
import { useTrainingBackend } from './training-backend.ts';

interface EvalFlags extends EvalProtocolFlags { model: string; dataset: string; json?: string; mosaic?: string; batch: number; backend: BackendChoice; runtime?: RuntimeName; threads?: number }

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
    .option('--threads <n>', 'TFLite threads', intArg('--threads', { min: 1 }));
  addEvalProtocolOptions(cmd)
    .action(async (f: EvalFlags) => {
      if (!isTflitePath(f.model)) await useTrainingBackend(f.backend, { training: false });
      const dataset = await loadDataset(f.dataset);
      process.stderr.write(datasetSummary(dataset) + '\n');
      const predictor = await openAgePredictor(f.model, { runtime: f.runtime, threads: f.threads });
      process.stderr.write(`model ${predictor.name}: ${predictor.meta.net}, ${predictor.meta.head} head, input ${predictor.meta.inputSize.join('x')}, ${predictor.meta.preprocessing}\n`);
      const progress = createProgress('eval', dataset.samples.length);
      try {
        const result = await evaluateAgePredictor(predictor, dataset, { batchSize: f.batch, onBatch: (done) => progress.update(done) });
        progress.stop();
        process.stdout.write(formatEvalTable(result));
        const protocol = await runEvalProtocol(f, result, predictor, dataset);
        if (f.json) {
          await writeFileAtomic(f.json, JSON.stringify({ ...evalJson(result, predictor.name, f.dataset), ...protocol }, null, 2) + '\n');
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
