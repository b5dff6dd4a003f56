import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertModel } from '../../../converters/convert-model.ts';
import { replaceTfliteMetadata } from '../../../calibration/tflite-metadata-patch.ts';
import { bufferBytes, F, FlatReader, readTfliteMetadata, tfliteWeightsSha256 } from '../../../core/tflite/tflite-metadata.ts';
import { readTflite } from '../../../core/tflite/read-tflite.ts';
import { parseModelMetadata, type ModelMetadata } from '../../../core/contract/model-metadata.ts';
import { ModelFormatError } from '../../../core/errors.ts';
import { AgeEstimator } from '../../../device/estimators/age-estimator.ts';
import { openAgePredictor } from '../../../host/eval/open-predictor.ts';
import { projectRoot } from '../../support/shared-data.ts';

const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: projectRoot, maxBuffer: 1 << 26 })
  .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
  .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

const shipped = join(projectRoot, 'samples', 'models', 'student.tflite');
let dir: string;
let converted: string;

test.before(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'agekit-integrity-'));
  converted = join(dir, 'student.tflite');
  await convertModel({ model: join(projectRoot, 'samples', 'models', 'student'), out: converted });
});
test.after.always(async () => { await rm(dir, { recursive: true, force: true }); });

/** Position in the file of the largest constant buffer's bytes. */
function largestWeightBuffer(bytes: Uint8Array): { start: number; length: number } {
  const r = new FlatReader(bytes, 'm');
  const model = r.root('TFL3');
  const n = r.vector(model, F.model.buffers, 4, 'buffers').length;
  let best = { start: 0, length: 0 };
  for (let i = 0; i < n; i++) {
    const b = bufferBytes(r, model, i);
    if (b.length > best.length) best = { start: b.byteOffset - bytes.byteOffset, length: b.length };
  }
  return best;
}

test('convert stores a SHA-256 of the weight buffers that load verifies', async (t) => {
  const bytes = new Uint8Array(await readFile(converted));
  const meta = readTfliteMetadata(bytes, converted)!;
  t.regex(meta.weightsSha256 ?? '', /^[0-9a-f]{64}$/);
  t.is(meta.weightsSha256, tfliteWeightsSha256(bytes, converted));
  t.is(readTflite(bytes, converted).weightsCheck, 'verified');
  const estimator = await AgeEstimator.create({ modelPath: converted, threads: 1 });
  await estimator.close();
});

test('one flipped weight byte is an error naming the file at load, in the estimator, eval and inspect', async (t) => {
  const bytes = new Uint8Array(await readFile(converted));
  const w = largestWeightBuffer(bytes);
  t.true(w.length > 10_000, `largest buffer ${w.length} bytes`);
  const bad = bytes.slice();
  bad[w.start + (w.length >> 1)] ^= 0x40;
  const corrupt = join(dir, 'corrupt.tflite');
  await writeFile(corrupt, bad);
  const e1 = await t.throwsAsync(AgeEstimator.create({ modelPath: corrupt, threads: 1 }), { instanceOf: ModelFormatError });
  t.regex(e1!.message, /corrupt\.tflite: the weights do not match the checksum/);
  const e2 = await t.throwsAsync(openAgePredictor(corrupt, { threads: 1 }), { instanceOf: ModelFormatError });
  t.regex(e2!.message, /corrupt\.tflite: .*checksum/);
  const r = await cli(['inspect', corrupt]);
  t.is(r.code, 1);
  t.regex(r.stderr, /corrupt\.tflite: the weights do not match the checksum.*copy it again or run agekit convert again/);
});

test('the shipped student carries the checksum of its own weights', async (t) => {
  const bytes = new Uint8Array(await readFile(shipped));
  t.is(readTfliteMetadata(bytes, shipped)!.weightsSha256, tfliteWeightsSha256(bytes, shipped));
  t.is(readTflite(bytes, shipped).weightsCheck, 'verified');
});

test('a file converted before the checksum existed still loads, and inspect says it is unverified', async (t) => {
  // An agekit 0.1 file: the shipped student's bytes with its metadata minus the checksum.
  const shippedBytes = new Uint8Array(await readFile(shipped));
  const { weightsSha256: _, ...oldMeta } = readTfliteMetadata(shippedBytes, shipped)!;
  const old = join(dir, 'agekit-0.1.tflite');
  await writeFile(old, replaceTfliteMetadata(shippedBytes, oldMeta, old));
  const bytes = new Uint8Array(await readFile(old));
  t.is(readTfliteMetadata(bytes, old)!.weightsSha256, undefined);
  t.is(readTflite(bytes, old).weightsCheck, 'absent');
  const estimator = await AgeEstimator.create({ modelPath: old, threads: 1 });
  await estimator.close();
  const r = await cli(['inspect', old]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /weights checksum: none .*loaded unverified/);
});

test('metadata whose read-out does not match the model output is refused at load, naming the file and both sizes', async (t) => {
  const bytes = new Uint8Array(await readFile(shipped));
  const meta = readTfliteMetadata(bytes, shipped)!;
  const seven = join(dir, 'bins7.tflite');
  await writeFile(seven, replaceTfliteMetadata(bytes, { ...meta, readout: { kind: 'expected', outputIndex: 0, bins: 7, firstAge: 0 } }, seven));
  const e1 = await t.throwsAsync(AgeEstimator.create({ modelPath: seven, threads: 1 }), { instanceOf: ModelFormatError });
  t.regex(e1!.message, /bins7\.tflite: metadata asks for readout\.bins 7 but model output 0 has 101 values per item/);
  const e2 = await t.throwsAsync(openAgePredictor(seven, { threads: 1 }), { instanceOf: ModelFormatError });
  t.regex(e2!.message, /readout\.bins 7 .* 101 values/);
  const scalar = join(dir, 'scalar.tflite');
  await writeFile(scalar, replaceTfliteMetadata(bytes, { ...meta, head: 'regression', readout: { kind: 'scalar', outputIndex: 0 } }, scalar));
  t.regex((await t.throwsAsync(AgeEstimator.create({ modelPath: scalar, threads: 1 })))!.message, /scalar read-out \(1 value\) but model output 0 has 101/);
  const missing = join(dir, 'output3.tflite');
  await writeFile(missing, replaceTfliteMetadata(bytes, { ...meta, readout: { kind: 'expected', outputIndex: 3, bins: 101, firstAge: 0 } }, missing));
  t.regex((await t.throwsAsync(AgeEstimator.create({ modelPath: missing, threads: 1 })))!.message, /readout\.outputIndex 3 does not exist \(the model has 1 output\)/);
});

test('read-out ranges outside real ages are refused when metadata is parsed', (t) => {
  const base: ModelMetadata = {
    format: 'agekit-model', version: 1, net: 'm', inputSize: [64, 64], preprocessing: 'vggface2', head: 'dex',
    readout: { kind: 'expected', outputIndex: 0, bins: 101, firstAge: 0 }, crop: { margin: 0, square: true },
  };
  t.notThrows(() => parseModelMetadata(base, 'm.json'));
  const firstAge = t.throws(() => parseModelMetadata({ ...base, readout: { ...base.readout, firstAge: -500 } }, 'm.json'));
  t.regex(firstAge!.message, /^m\.json: metadata field "readout\.firstAge" is invalid \(-500\); bins 101 from firstAge must cover ages within 0\.\.150/);
  t.regex(t.throws(() => parseModelMetadata({ ...base, readout: { ...base.readout, firstAge: 100 } }, 'm.json'))!.message, /readout\.firstAge/);
  t.regex(t.throws(() => parseModelMetadata({ ...base, readout: { ...base.readout, bins: 1.5 } }, 'm.json'))!.message, /readout\.bins/);
  t.regex(t.throws(() => parseModelMetadata({ ...base, weightsSha256: 'abc' }, 'm.json'))!.message, /weightsSha256/);
});
