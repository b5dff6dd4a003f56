/**
 * `agekit predict`: the age of each face image, for a quick look. The whole image is the face
 * crop unless `--box x,y,w,h` is given; the model's own crop margin, input size and
 * preprocessing apply. One JSON line per image on stdout.
 *
 * @example
 * agekit predict --model runs/m64 face1.jpg face2.jpg
 */
import { Command, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import type { Box } from '../core/contract/face-crop.ts';
import { normalizePixels } from '../core/contract/preprocessing.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../core/runtime/model-runner.ts';
import { isTflitePath } from '../core/runtime/open-runner.ts';
import type { BackendChoice } from '../core/backend/tfjs-backend.ts';
import { cropJobRgb } from '../host/data/prepare-crops.ts';
import { openAgePredictor } from '../host/eval/open-predictor.ts';
import { backendOption, intArg } from './options.ts';
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
    .option('--threads <n>', 'TFLite threads', intArg('--threads', { min: 1 }))
    .action(async (images: string[], f: PredictFlags) => {
      if (!isTflitePath(f.model)) await useTrainingBackend(f.backend, { training: false });
      const predictor = await openAgePredictor(f.model, { runtime: f.runtime, threads: f.threads });
      const { meta } = predictor;
      const [h, w] = meta.inputSize;
      process.stderr.write(`model ${predictor.name}: ${meta.net}, ${meta.head} head, input ${h}x${w}\n`);
      try {
        for (const image of images) {
          // A bad image is a DataError naming the file: the command stops there, as for any user error.
          const rgb = await cropJobRgb({ path: image, box: f.box }, w, h, meta.crop);
          const x = normalizePixels(rgb, meta.preprocessing);
          const [age] = await predictor.predict({ n: 1, x, ages: Float32Array.of(NaN), samples: [{ path: image }] });
          process.stdout.write(JSON.stringify({ image, age: Number(age.toFixed(2)) }) + '\n');
        }
      } finally {
        await predictor.close();
      }
    });
}
