/**
 * `agekit predict`: the age of each face image, for a quick look. The whole image is the face
 * crop unless `--box x,y,w,h` is given; the model's own crop margin, input size and
 * preprocessing apply. One JSON line per image on stdout: `{image, age}`, or `{image, error}` for
 * an image that cannot be used (missing, corrupt, box outside it), which is skipped; the command
 * then exits 1 after the others.
 *
 * @example
 * agekit predict --model runs/m64 face1.jpg face2.jpg
 */
import { Command, Option } from 'commander';
import { DataError, UsageError } from '../core/errors.ts';
import type { Box } from '../core/contract/face-crop.ts';
import { normalizePixels } from '../core/contract/preprocessing.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../core/runtime/model-runner.ts';
import { isTflitePath } from '../core/runtime/open-runner.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { cropJobRgb } from '../host/data/prepare-crops.ts';
import { openAgePredictor } from '../host/eval/open-predictor.ts';
import { backendOption, intArg } from './options.ts';
import { threadsFlag } from '../device/cli/cli-args.ts';
import { useTrainingBackend } from './training-backend.ts';

interface PredictFlags { model: string; box?: Box; backend: BackendChoice; runtime?: RuntimeName; threads?: number }

/** Parse `x,y,w,h` (pixels) for --box. */
export function parseBox(text: string): Box {
  const v = text.split(',').map(Number);
  if (v.length !== 4 || !v.every(Number.isFinite) || v[2] <= 0 || v[3] <= 0) {
    throw new UsageError(`expected x,y,w,h in pixels with w and h > 0 (got "${text}")`, { where: '--box' });
  }
  return { x: v[0], y: v[1], w: v[2], h: v[3] };
}

export function registerPredict(program: Command): void {
  program.command('predict')
    .description('estimate the age of face images with a checkpoint or .tflite model (one JSON line per image)')
    .requiredOption('--model <path>', 'run folder, checkpoint folder, or .tflite file')
    .argument('<images...>', 'face images (the whole image is the face unless --box)')
    .option('--box <x,y,w,h>', 'face box in pixels, applied to every image', parseBox)
    .addOption(backendOption())
    .addOption(new Option('--runtime <name>', 'for .tflite files: tflite (native) or tflite-wasm').choices(RUNTIME_NAMES.filter((r) => r !== 'tfjs')))
    .option('--threads <n>', 'TFLite threads', threadsFlag('--threads'))
    .action(async (images: string[], f: PredictFlags) => {
      if (!isTflitePath(f.model)) await useTrainingBackend(f.backend, { training: false });
      const predictor = await openAgePredictor(f.model, { runtime: f.runtime, threads: f.threads });
      const { meta } = predictor;
      const [h, w] = meta.inputSize;
      process.stderr.write(`model ${predictor.name}: ${meta.net}, ${meta.head} head, input ${h}x${w}\n`);
      let failed = 0;
      try {
        for (const image of images) {
          let rgb: Uint8Array;
          try {
            rgb = await cropJobRgb({ path: image, box: f.box }, w, h, meta.crop);
          } catch (err) {
            // One bad image (missing, corrupt, box off the image) must not cost the others their ages.
            if (!(err instanceof DataError)) throw err;
            failed++;
            process.stdout.write(JSON.stringify({ image, error: err.what }) + '\n');
            process.stderr.write(`skipped ${err.message}\n`);
            continue;
          }
          const x = normalizePixels(rgb, meta.preprocessing);
          const [age] = await predictor.predict({ n: 1, x, ages: Float32Array.of(NaN), samples: [{ path: image }] });
          process.stdout.write(JSON.stringify({ image, age: Number(age.toFixed(2)) }) + '\n');
        }
      } finally {
        await predictor.close();
      }
      if (failed > 0) {
        throw new DataError(`${failed} of ${images.length} image${images.length > 1 ? 's' : ''} skipped (lines with "error" on stdout)`, { where: 'predict', hint: 'see the "skipped" lines above for each file and why' });
      }
    });
}
