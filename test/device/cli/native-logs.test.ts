import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { encodeVideo, pickValFaces, renderScene } from '../support/face-scene.ts';
import { runCli } from '../support/run-cli.ts';
import { defaultThreads } from '../../../core/runtime/default-threads.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-native-logs-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
// The child inherits this environment: the quiet default is what is tested, whatever the shell set.
delete process.env.AGEKIT_NATIVE_LOGS;
const agekit = (args: string[]) => runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'device', 'main.ts'), ...args], { cwd: projectRoot });

async function faceClip(utk: string): Promise<string> {
  const faces = pickValFaces(utk, 2);
  const scene = { width: 320, height: 240, frames: 6, faces: [
    { face: faces[0], size: 100, from: [20, 40] as [number, number], to: [60, 50] as [number, number] },
    { face: faces[1], size: 90, from: [200, 100] as [number, number], to: [180, 120] as [number, number] }] };
  const clip = join(dir, 'two-faces.mp4');
  await encodeVideo(await renderScene(scene), scene.width, scene.height, 10, clip);
  return clip;
}

dataTest(test)('agekit run prints no third-party log line (TFLite\'s INFO) unless --verbose, and uses the default thread count', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const clip = await faceClip(utk);
  const args = ['run', '--source', `file:${clip}`, '--max-frames', '4', '--no-status'];
  const quiet = await agekit(args);
  t.is(quiet.code, 0, quiet.stderr);
  // The models ran on XNNPACK, whose creation is what logs; with the default threads.
  t.regex(quiet.stderr, new RegExp(`detector .*xnnpack \\(${defaultThreads()} thread`));
  const frames = quiet.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.is(frames.length, 4);
  t.true(frames.every((f) => f.faces.length === 2), 'both real faces found in every frame');
  // TFLite's minimal logger ("INFO: ...", "WARNING: ...") and glog ("I1205 06:50:00.1 ...") line shapes.
  const foreign = (out: string) => out.split('\n').filter((l) => /^(INFO|WARNING|ERROR|VERBOSE): |^[IWEF]\d{4} \d\d:/.test(l));
  t.deepEqual(foreign(quiet.stderr), [], quiet.stderr);
  t.deepEqual(foreign(quiet.stdout), []);

  const verbose = await agekit([...args, '--verbose']);
  t.is(verbose.code, 0, verbose.stderr);
  t.regex(verbose.stderr, /^INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.$/m);
});
