import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNet } from '../../host/nets/index.ts';
import { saveCheckpoint } from '../../host/checkpoint/checkpoint.ts';
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { readTfliteMetadata } from '../../core/tflite/tflite-metadata.ts';
import { readTflite } from '../../core/tflite/read-tflite.ts';
import { dataTest, projectRoot, utkfaceDir } from '../support/shared-data.ts';
import { perturbWeights } from './conversion-fixtures.ts';
import { main } from '../../cli/main.ts';

const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: projectRoot, maxBuffer: 1 << 26 })
  .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
  .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

let dir: string;
let checkpoint: string;
const meta: ModelMetadata = {
  format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mobilenet64', inputSize: [64, 64], preprocessing: 'vggface2',
  head: 'regression', readout: defaultReadout('regression'), crop: { margin: 0.1, square: true },
};

test.before(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'agekit-convert-'));
  checkpoint = join(dir, 'ckpt');
  const model = buildNet('mobilenet64', { head: 'regression', seed: 3 });
  perturbWeights(model);
  await saveCheckpoint(checkpoint, model, meta);
});

dataTest(test)('convert writes a .tflite with the checkpoint metadata, --check reports the difference and both MAEs, inspect reads it back', async (t) => {
  const out = join(dir, 'student.tflite');
  const r = await cli(['convert', '--model', checkpoint, '--out', out, '--quantize', 'none', '--check', `utkface:${utkfaceDir()}:split=val`, '--check-limit', '6']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /backend: /);
  t.regex(r.stderr, /wrote .*student\.tflite/);
  const report = JSON.parse(r.stdout);
  t.is(report.check.n, 6);
  t.true(report.check.outputs[0].maxRelDiff <= 1e-4, JSON.stringify(report.check));
  t.true(Math.abs(report.check.maeTfjs - report.check.maeTflite) < 1e-3);
  const embedded = readTfliteMetadata(new Uint8Array(await readFile(out)), out);
  t.deepEqual(embedded, { ...meta, quantization: { mode: 'none' }, weightsSha256: embedded?.weightsSha256 });
  t.regex(embedded?.weightsSha256 ?? '', /^[0-9a-f]{64}$/);
  const inspect = await cli(['inspect', out]);
  t.is(inspect.code, 0, inspect.stderr);
  t.regex(inspect.stdout, /input +\S+ \[1,64,64,3\] float32/);
  t.regex(inspect.stdout, /CONV_2D v1 x\d+/);
  t.regex(inspect.stdout, /agekit metadata: \{"format":"agekit-model"/);
});

dataTest(test)('convert --quantize int8 --io uint8 calibrates on a dataset spec and records it in the metadata', async (t) => {
  const out = join(dir, 'student-int8.tflite');
  const r = await cli(['convert', '--model', checkpoint, '--out', out, '--quantize', 'int8', '--io', 'uint8', '--calibration', `utkface:${utkfaceDir()}:split=train`, '--calibration-samples', '8', '--calibration-method', 'mse']);
  t.is(r.code, 0, r.stderr);
  const info = readTflite(new Uint8Array(await readFile(out)), out);
  t.is(info.tensors[info.inputs[0]].type, 'uint8');
  t.is(info.agekit!.quantization!.mode, 'int8');
  t.is(info.agekit!.quantization!.io, 'uint8');
  t.is(info.agekit!.quantization!.calibrationMethod, 'mse');
  t.regex(info.agekit!.quantization!.calibrationSet!, /split=train \(8 samples\)/);
});

/** Run the CLI in this process (no tfjs start-up per call), capturing stderr. */
async function cliInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += chunk.toString(); return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'agekit', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('usage errors exit 2 and name the flag; a corrupt file exits 1 naming the file', async (t) => {
  const a = await cliInProcess(['convert', '--model', checkpoint, '--out', join(dir, 'x.tflite'), '--quantize', 'int8']);
  t.is(a.code, 2);
  t.regex(a.stderr, /--calibration: full-integer quantization needs a representative set/);
  const b = await cliInProcess(['convert', '--model', checkpoint, '--out', join(dir, 'x.tflite'), '--io', 'int8']);
  t.is(b.code, 2);
  t.regex(b.stderr, /--io: --io int8 needs --quantize int8/);
  const bad = join(dir, 'bad.tflite');
  await writeFile(bad, 'this is not a model');
  const c = await cliInProcess(['inspect', bad]);
  t.is(c.code, 1);
  t.regex(c.stderr, /bad\.tflite: not a TFLite file/);
  const d = await cliInProcess(['convert', '--model', join(dir, 'nowhere'), '--out', join(dir, 'x.tflite')]);
  t.is(d.code, 1);
  t.regex(d.stderr, /nowhere: model not found/);
});
