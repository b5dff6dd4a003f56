/**
 * Benchmark: which activation-range method gives the lowest int8 MAE. Converts a trained checkpoint
 * to float32 and to full int8 with each --calibration-method (minmax, percentile, mse) on the same
 * representative set, and measures each file's MAE on UTKFace val in the real TFLite runtime.
 *
 * npm run bench:calibration -- --model samples/models/student [--samples 200] [--limit 0]
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { initBackend } from '../core/backend/tfjs-backend.ts';
import { TfliteRunner } from '../core/runtime/tflite-runner.ts';
import { convertModel } from '../converters/convert-model.ts';
import { runnerAgePredictor } from '../host/eval/age-predictor.ts';
import { evaluateAgePredictor } from '../host/eval/evaluate.ts';
import { loadDataset } from '../host/data/load-dataset.ts';
import type { CalibrationMethod } from '../calibration/ranges/range-observer.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'samples/models/student' }, samples: { type: 'string', default: '200' }, limit: { type: 'string', default: '0' }, data: { type: 'string' } } });
const data = resolve(values.data ?? process.env.AGEKIT_DATA ?? '../shared/data/utkface');
const backend = await initBackend('wasm');
const limit = Number(values.limit);
const valSpec = `utkface:${data}:split=val${limit > 0 ? `:limit=${limit}` : ''}`;
process.stderr.write(`backend ${backend.detail}; TFLite: tfjs-tflite-node, 1 thread; model ${values.model}; val ${valSpec}\n`);
const val = await loadDataset(valSpec);

const maeOf = async (bytes: Uint8Array, name: string) => {
  const runner = await TfliteRunner.create({ modelBytes: bytes, threads: 1 });
  const r = await evaluateAgePredictor(runnerAgePredictor(runner, runner.meta!, name), val);
  await runner.close();
  return r.metrics.mae;
};
const rows: { mode: string; kb: number; mae: number }[] = [];
const float = await convertModel({ model: values.model! });
rows.push({ mode: 'float32', kb: float.bytes.length / 1024, mae: await maeOf(float.bytes, 'float32') });
float.source.dispose();
for (const method of ['minmax', 'percentile', 'mse'] as CalibrationMethod[]) {
  const q = await convertModel({ model: values.model!, quantize: 'int8', calibration: `utkface:${data}:split=train`, calibrationSamples: Number(values.samples), calibrationMethod: method });
  rows.push({ mode: `int8 ${method}`, kb: q.bytes.length / 1024, mae: await maeOf(q.bytes, method) });
  q.source.dispose();
  process.stderr.write(`${method} done\n`);
}
console.log(`\nval MAE on ${val.samples.length} faces, representative set of ${values.samples} train faces:`);
console.log('mode              KB     MAE   change');
for (const r of rows) console.log(`${r.mode.padEnd(16)} ${r.kb.toFixed(0).padStart(4)}  ${r.mae.toFixed(3)}  ${(r.mae - rows[0].mae >= 0 ? '+' : '') + (r.mae - rows[0].mae).toFixed(3)}`);
const best = rows.slice(1).sort((a, b) => a.mae - b.mae)[0];
console.log(`lowest int8 MAE: ${best.mode}`);
