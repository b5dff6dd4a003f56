/**
 * The runnable scripts in samples/ run as a user would run them (a child process through tsx),
 * on real faces, with the shipped models.
 */
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dataTest, projectRoot, requireUtkface } from '../support/shared-data.ts';
import { runCli } from '../device/support/run-cli.ts';
import { writeFaceFrames } from '../device/support/face-images.ts';
import { encodeVideo, pickValFaces, renderScene } from '../device/support/face-scene.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-samples-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const runSample = (name: string, args: string[]) =>
  runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'samples', name), ...args], { cwd: projectRoot, timeoutMs: 300_000 });

dataTest(test)('ages-in-photos prints an age for both faces of every photo', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const photos = await writeFaceFrames(utk, join(dir, 'photos'), 3);
  const r = await runSample('ages-in-photos.ts', [photos]);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.is(lines.length, 3, r.stdout);
  for (const l of lines) {
    const ages = [...l.matchAll(/(\d+) y at/g)].map((m) => Number(m[1]));
    t.is(ages.length, 2, l);
    t.true(ages.every((a) => a >= 0 && a <= 100), l);
  }
  t.regex(r.stderr, /age model \S+/);
});

dataTest(test)('visitors-by-age counts the distinct faces of a video per age bucket', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 2, 20, 60);
  const frames = await renderScene({ width: 320, height: 240, frames: 8, faces: [
    { face: faces[0], size: 100, from: [10, 40], to: [40, 50] }, { face: faces[1], size: 90, from: [200, 90], to: [190, 110] }] });
  const video = join(dir, 'visitors.mp4');
  await encodeVideo(frames, 320, 240, 10, video);
  const r = await runSample('visitors-by-age.ts', [video]);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  t.is(out.visitors, 2, r.stdout);
  t.is(Object.values(out.by_bucket as Record<string, number>).reduce((a, b) => a + b, 0), 2);
});

dataTest(test)('quantize-student writes an int8 .tflite whose val MAE is close to the checkpoint', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const checkpoint = join(projectRoot, 'samples', 'models', 'student');
  t.true(existsSync(join(checkpoint, 'agekit.json')), `the shipped student checkpoint is missing: ${checkpoint}`);
  const out = join(dir, 'student-int8.tflite');
  const r = await runSample('quantize-student.ts', [checkpoint, utk, out]);
  t.is(r.code, 0, r.stderr);
  const m = /tfjs ([\d.]+), int8 tflite ([\d.]+)/.exec(r.stdout);
  t.truthy(m, r.stdout);
  t.log(r.stdout.trim());
  t.true(existsSync(out));
  t.true(Math.abs(Number(m![1]) - Number(m![2])) < 1, r.stdout);
});
