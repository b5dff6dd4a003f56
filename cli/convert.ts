/**
 * `agekit convert`: a checkpoint or graph model to .tflite, optionally quantized, with the
 * model's metadata inside; `--check` compares the file in the real TFLite runtime with tfjs on
 * real faces. stdout: one JSON object (file, size, ops, check); stderr: status.
 *
 * @example
 * agekit convert --model runs/a/best --out student.tflite --quantize int8 --calibration utkface:../shared/data/utkface:split=train --check utkface:../shared/data/utkface:split=val
 * agekit convert --model node_modules/@vladmandic/human/models/blazeface.json --out samples/models/blazeface.tflite
 */
import { Option, type Command } from 'commander';
import { initBackend, type BackendChoice } from '../core/backend/tfjs-backend.ts';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../calibration/ranges/range-observer.ts';
import { convertModel, IO_TYPES, QUANTIZE_MODES, type QuantizeMode } from '../converters/convert-model.ts';
import { checkConversion } from '../converters/check-conversion.ts';
import type { IoType } from '../converters/quantize/quantize-int8.ts';
import { backendOption, floatArg, intArg } from './options.ts';
import { registerInspect } from './inspect.ts';

interface ConvertFlags {
  model: string; out: string; quantize: QuantizeMode; io: IoType; calibration?: string; calibrationMethod: CalibrationMethod;
  percentile: number; calibrationSamples: number; metadata?: string; check?: string; checkLimit: number; backend: BackendChoice;
}

export function registerConvert(program: Command): void {
  program.command('convert')
    .description('convert a checkpoint folder or a tfjs graph model.json to .tflite (metadata inside), optionally quantized')
    .requiredOption('--model <path>', 'checkpoint folder (model.json + agekit.json) or graph model.json')
    .requiredOption('--out <file.tflite>', 'output file (written atomically)')
    .addOption(new Option('--quantize <mode>', 'none (float32), float16 weights, dynamic (int8 weights), int8 (full integer)').choices([...QUANTIZE_MODES]).default('none'))
    .addOption(new Option('--io <type>', 'input/output type of an int8 file').choices([...IO_TYPES]).default('float'))
    .option('--calibration <set|spec>', 'representative data for int8: a set folder from agekit calibrate build (or agekit run --collect-calibration), or a dataset spec such as utkface:<dir>:split=train')
    .addOption(new Option('--calibration-method <m>', 'activation range estimation for int8').choices([...CALIBRATION_METHODS]).default('percentile'))
    .option('--percentile <p>', 'percentile kept by --calibration-method percentile', floatArg('--percentile', { min: 50, max: 100 }), 99.99)
    .option('--calibration-samples <n>', 'samples drawn from a calibration dataset spec', intArg('--calibration-samples', { min: 1 }), 200)
    .option('--metadata <file.json>', 'agekit metadata (agekit.json format) to embed instead of the model\'s own')
    .option('--check <spec>', 'compare the file in tfjs-tflite-node with tfjs on these faces (largest output difference; MAE when labelled)')
    .option('--check-limit <n>', 'faces used by --check', intArg('--check-limit', { min: 1 }), 50)
    .addOption(backendOption())
    .action(async (flags: ConvertFlags) => {
      const backend = await initBackend(flags.backend);
      process.stderr.write(`backend: ${backend.detail}; TFLite runtime: tfjs-tflite-node (native)\n`);
      const result = await convertModel({
        model: flags.model, out: flags.out, quantize: flags.quantize, io: flags.io, calibration: flags.calibration,
        calibrationMethod: flags.calibrationMethod, percentile: flags.percentile, calibrationSamples: flags.calibrationSamples,
        metadata: flags.metadata, onStatus: (line) => process.stderr.write(line + '\n'),
      });
      process.stderr.write(`wrote ${flags.out} (${result.bytes.length} bytes, ${result.graph.ops.length} ops)\n`);
      const report: Record<string, unknown> = { out: flags.out, bytes: result.bytes.length, quantize: flags.quantize, ops: result.opCounts, quantization: result.meta?.quantization };
      if (flags.check) {
        process.stderr.write(`checking against tfjs on ${flags.check}\n`);
        report.check = await checkConversion(result, flags.check, { limit: flags.checkLimit });
      }
      result.source.dispose();
      process.stdout.write(JSON.stringify(report) + '\n');
    });
}

/** `convert` and `inspect`, the converter's two commands (one entry in commands.ts). */
export function registerConverterCommands(program: Command): void {
  registerConvert(program);
  registerInspect(program);
}
