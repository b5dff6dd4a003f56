/**
 * Inference speed of the edge networks: median latency of one face (batch 1) through the native
 * TFLite runtime (XNNPACK, 1 thread, as on one Raspberry Pi core) and through tfjs on WASM, with
 * random weights (speed does not depend on their values). mobilenet64 is the baseline: every
 * row prints its ratio to it, measured in the same run. Converted in memory with agekit's
 * LayersModel -> TFLite converter (float32); the first outputs are checked against tfjs.
 *
 *   npm run bench:nets [-- --nets edgenet,mobilenet64,mobilenet96 --runs 50 --threads 1 --json <file>]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildNet, countMultiplyAdds } from '../host/nets/index.ts';
import { fromLayersModel } from '../converters/ir/from-layers-model.ts';
import { optimizeGraph } from '../converters/convert-model.ts';
import { writeTflite } from '../converters/write-tflite.ts';
import { TfliteRunner } from '../core/runtime/tflite-runner.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const nets = flag('--nets', 'mobilenet64,edgenet,mobilenet96,mobilenetv3small112').split(',');
const runs = Number(flag('--runs', '50'));
const threads = Number(flag('--threads', '1'));
const json = flag('--json', '');
const BASELINE = 'mobilenet64';
if (!nets.includes(BASELINE)) nets.unshift(BASELINE);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timeIt(fn: () => Promise<unknown> | unknown, n: number): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

await tf.setBackend('wasm');
await tf.ready();
process.stderr.write(`bench:nets: tfjs wasm ${tf.version_core} vs TFLite (tfjs-tflite-node, XNNPACK, ${threads} thread(s)); ${runs} timed runs each, medians\n`);
const rows: Array<Record<string, number | string>> = [];
for (const name of nets) {
  const model = buildNet(name, { head: 'dex', seed: 1 });
  const [h, w] = model.inputs[0].shape.slice(1, 3) as number[];
  const x = tf.randomNormal([1, h, w, 3], 0, 40, 'float32', 2);
  const input = x.dataSync() as Float32Array;
  const runner = await TfliteRunner.create({ modelBytes: writeTflite(optimizeGraph(fromLayersModel(model))), threads });
  const ref = (model.predict(x) as tf.Tensor).dataSync();
  const [first] = await runner.run([input], 1);
  const maxDiff = first.reduce((d, v, i) => Math.max(d, Math.abs(v - ref[i])), 0);
  const tfliteMs = await timeIt(() => runner.run([input], 1), runs);
  const wasmMs = await timeIt(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()), runs);
  rows.push({ net: name, input: `${h}x${w}`, macs_m: countMultiplyAdds(model) / 1e6, tflite_ms_median: tfliteMs, tfjs_wasm_ms_median: wasmMs, tflite_vs_tfjs_max_abs_diff: maxDiff });
  await runner.close();
  model.dispose();
  x.dispose();
}
const base = rows.find((r) => r.net === BASELINE)!;
console.log('net                  input   MACs(M)  tflite ms  x mobilenet64  tfjs-wasm ms  x mobilenet64');
for (const r of rows) {
  const tfl = r.tflite_ms_median as number, wasm = r.tfjs_wasm_ms_median as number;
  r.tflite_ratio = tfl / (base.tflite_ms_median as number);
  r.tfjs_wasm_ratio = wasm / (base.tfjs_wasm_ms_median as number);
  console.log(`${String(r.net).padEnd(20)} ${String(r.input).padEnd(7)} ${(r.macs_m as number).toFixed(1).padStart(7)}  ${tfl.toFixed(2).padStart(9)}  ${(r.tflite_ratio as number).toFixed(2).padStart(13)}  ${wasm.toFixed(2).padStart(12)}  ${(r.tfjs_wasm_ratio as number).toFixed(2).padStart(13)}`);
}
if (json) {
  await writeFileAtomic(json, JSON.stringify(rows, null, 2) + '\n');
  process.stderr.write(`wrote ${json}\n`);
}
