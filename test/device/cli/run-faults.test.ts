// agekit run against faults and hostile input: wrong models, credentials in specs, too many threads.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-run-faults-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const agekit = (args: string[], o: Parameters<typeof runCli>[2] = {}) => runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'device', 'main.ts'), ...args], { cwd: projectRoot, ...o });
const student = join(projectRoot, 'samples', 'models', 'student.tflite');
let frames: Promise<string> | undefined;
const faceFrames = (utk: string) => (frames ??= writeFaceFrames(utk, join(dir, 'frames')));

dataTest(test)('an age model given as --detector is refused at load, naming the file, instead of failing every frame', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const r = await agekit(['run', '--source', `images:${await faceFrames(utk)}`, '--detector', student, '--no-ages', '--no-status', '--max-frames', '3', '--threads', '1']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /student\.tflite: model outputs do not look like BlazeFace \(element counts 101\)/);
  t.notRegex(r.stderr, /frame \d+ skipped/);
  t.is(r.stdout, '');
});
