// A .tflite teacher runs through the device's TfliteRunner: XNNPACK when a C compiler is there, batches item by item, clear errors for a descriptor that does not fit the model.
import test from 'ava';
import sharp from 'sharp';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createTfliteRunner } from '../../../host/distill/tflite-teacher-runner.ts';
import { parseTeacherDescriptor, type TeacherDescriptor } from '../../../host/distill/teacher-descriptor.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { blazefaceTflite } from '../../device/support/device-models.ts';

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'agekit-tflite-teacher-')); });
test.after.always(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

/** A descriptor for the BlazeFace .tflite (a real model with a [1, 256, 256, 3] input and 4 outputs). */
async function descriptor(over: Record<string, unknown> = {}): Promise<TeacherDescriptor> {
  return parseTeacherDescriptor({
    name: 'blazeface-as-teacher', kind: 'tflite', model: await blazefaceTflite(), inputSize: [256, 256], normalization: 'vggface2',
    output: 1, readout: { kind: 'expected', bins: 512, firstAge: 0 }, ...over,
  }, 'test teacher', dir);
}

dataTest(test)('runs on XNNPACK (or says why not) and a batch equals its items run one by one', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const runner = await createTfliteRunner(await descriptor());
  const hasCc = spawnSync('/bin/sh', ['-c', 'command -v cc || command -v gcc'], { encoding: 'utf8' }).stdout.trim() !== '';
  if (hasCc && process.env.AGEKIT_XNNPACK !== '0') t.regex(runner.accelerator, /^xnnpack \(1 thread\)$/);
  else t.regex(runner.accelerator, /^builtin kernels/);
  const files = (await readFile(join(utk, 'labels.csv'), 'utf8')).split('\n').slice(1, 3).map((l) => join(utk, l.split(',')[0]));
  const size = 256 * 256 * 3;
  const x = new Float32Array(2 * size);
  for (const [i, f] of files.entries()) {
    const px = await sharp(f).removeAlpha().resize(256, 256).raw().toBuffer();
    for (let k = 0; k < size; k++) x[i * size + k] = px[k] / 127.5 - 1;
  }
  const both = await runner.run(x, 2);
  t.is(both.length, 2 * 512);
  const first = await runner.run(x.subarray(0, size), 1), second = await runner.run(x.subarray(size), 1);
  t.deepEqual(Array.from(both.subarray(0, 512)), Array.from(first));
  t.deepEqual(Array.from(both.subarray(512)), Array.from(second));
  t.notDeepEqual(Array.from(first), Array.from(second), 'two different faces give different outputs');
  await runner.close();
});

test('a descriptor that does not fit the model, or a broken file, is a clear error naming the file', async (t) => {
  const model = await blazefaceTflite();
  await t.throwsAsync(createTfliteRunner(await descriptor({ inputSize: [64, 64] })), { message: /model input shape is \[1, 256, 256, 3\], the descriptor says \[1, 64, 64, 3\]/ });
  await t.throwsAsync(createTfliteRunner(await descriptor({ output: 7 })), { message: /output index 7 is out of range \(the model has 4\)/ });
  const truncated = join(dir, 'truncated.tflite');
  await copyFile(model, truncated);
  await writeFile(truncated, (await readFile(truncated)).subarray(0, 5000));
  const err = await t.throwsAsync(createTfliteRunner(await descriptor({ model: truncated })));
  t.is(err?.name, 'ModelFormatError');
  t.true(err?.message.includes(truncated) || (err as { where?: string })?.where === truncated, err?.message);
});
