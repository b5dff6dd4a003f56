/**
 * Benchmark: file size and ms per image of each TFLite mode (none, float16, dynamic, int8) in
 * tfjs-tflite-node, against the same model in tfjs WASM, measured in the same run. Uses a
 * checkpoint if given (with its val MAE when UTKFace is present), else a fresh agekit net.
 *
 * npm run bench:tflite -- [--model <checkpoint>] [--net mobilenet64] [--runs 50] [--threads 1]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend } from '../core/backend/tfjs-backend.ts';
import { TfliteRunner } from '../core/runtime/tflite-runner.ts';
import { convertModel, QUANTIZE_MODES } from '../converters/convert-model.ts';
import { saveCheckpoint } from '../host/checkpoint/checkpoint.ts';
import { buildNet, getNet } from '../host/nets/index.ts';
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION } from '../core/contract/model-metadata.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const { values } = parseArgs({ options: { model: { type: 'string' }, net: { type: 'string', default: 'mobilenet64' }, runs: { type: 'string', default: '50' }, threads: { type: 'string', default: '1' }, calibration: { type: 'string' } } });
const runs = Number(values.runs), threads = Number(values.threads);
const backend = await initBackend('wasm');
process.stderr.write(`backend: ${backend.detail}; TFLite: tfjs-tflite-node, ${threads} thread(s); ${runs} runs per model\n`);

let model = values.model;
if (!model) {
  const spec = getNet(values.net!);
  model = join(await mkdtemp(join(tmpdir(), 'agekit-bench-')), 'ckpt');
  await saveCheckpoint(model, buildNet(spec.name, { head: 'regression', seed: 1 }), {
    format: METADATA_FORMAT, version: METADATA_VERSION, net: spec.name, inputSize: spec.inputSize, preprocessing: 'tf', head: 'regression', readout: defaultReadout('regression'), crop: { margin: 0, square: true },
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const calibration = values.calibration ?? `utkface:${resolve('../shared/data/utkface')}:split=train`;

const rows: { name: string; bytes: number; ms: number }[] = [];
for (const mode of QUANTIZE_MODES) {
  const r = await convertModel({ model, quantize: mode, calibration: mode === 'int8' ? calibration : undefined, calibrationSamples: 100 });
  const [h, w] = r.source.inputSize;
  const x = tf.tidy(() => tf.randomUniform([1, h, w, 3], -1, 1).dataSync() as Float32Array);
  if (mode === 'none') {
    // tfjs WASM baseline on the same input, same run.
    const times: number[] = [];
    for (let i = 0; i < runs + 5; i++) { const t0 = performance.now(); r.source.predict(x); if (i >= 5) times.push(performance.now() - t0); }
    rows.push({ name: 'tfjs wasm (checkpoint)', bytes: 0, ms: median(times) });
  }
  const runner = await TfliteRunner.create({ modelBytes: r.bytes, threads });
  const times: number[] = [];
  for (let i = 0; i < runs + 5; i++) { const t0 = performance.now(); await runner.run([x], 1); if (i >= 5) times.push(performance.now() - t0); }
  rows.push({ name: `tflite ${mode}`, bytes: r.bytes.length, ms: median(times) });
  await runner.close();
  r.source.dispose();
}
const base = rows[0].ms;
process.stdout.write(`model ${model}\n${'runtime/mode'.padEnd(24)} ${'bytes'.padStart(10)} ${'median ms'.padStart(10)} ${'vs tfjs'.padStart(8)}\n`);
for (const r of rows) process.stdout.write(`${r.name.padEnd(24)} ${String(r.bytes || '-').padStart(10)} ${r.ms.toFixed(2).padStart(10)} ${(base / r.ms).toFixed(2).padStart(7)}x\n`);
