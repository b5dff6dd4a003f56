/**
 * agekit as users get it: `npm pack`, installed into a fresh project, imported by plain Node and
 * type-checked by tsc --strict with nodenext resolution. Nothing here reads the sources.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, requireUtkface } from '../support/shared-data.ts';
import { encodeVideo, pickValFaces, renderScene, type Scene } from '../device/support/face-scene.ts';

const run = promisify(execFile);
const exec = (cmd: string, args: string[], cwd: string) => run(cmd, args, { cwd, maxBuffer: 1 << 26, env: { ...process.env, NODE_OPTIONS: '' } });

let dir = '';
let app = '';
let tarball = '';
let packed: { entryCount: number; size: number; unpackedSize: number; files: { path: string }[] };

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agekit-pack-'));
  // npm pack runs `prepare` (the build), so the tarball holds freshly compiled dist/.
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], projectRoot);
  packed = JSON.parse(stdout.slice(stdout.indexOf('[')))[0];
  tarball = join(dir, (await readdir(dir)).find((f) => f.endsWith('.tgz'))!);
  app = join(dir, 'app');
  await exec('mkdir', ['-p', app], dir);
  await writeFile(join(app, 'package.json'), JSON.stringify({
    name: 'agekit-user', private: true, type: 'module',
    // npm 11 runs dependencies' install scripts only when approved: the native TFLite addon and sharp.
    allowScripts: { 'tfjs-tflite-node': true, sharp: true, '@tensorflow/tfjs-node': false, '@tensorflow/tfjs-node-gpu': false, 'node-webcam': false, 'core-js': false },
  }, null, 2));
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, '@types/node@20'], app);
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the tarball holds the compiled package, its types, the shipped models, README, LICENSE and CHANGELOG, and no sources or tests', (t) => {
  const files = packed.files.map((f) => f.path);
  t.log(`${packed.entryCount} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked`);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/agekit.js', 'dist/index.js', 'dist/index.d.ts',
    'dist/device/index.js', 'dist/device/index.d.ts', 'dist/host/index.d.ts', 'dist/converters/index.d.ts', 'dist/calibration/index.d.ts',
    'samples/models/blazeface.tflite', 'samples/models/student.tflite']) t.true(files.includes(f), `${f} missing from the tarball`);
  t.deepEqual(files.filter((f) => /^(test|bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))), []);
});

test('plain Node imports agekit/device from the installed package and runs createPipeline over a video of real faces', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 2, 20, 60);
  const scene: Scene = { width: 640, height: 480, frames: 10, faces: [
    { face: faces[0], size: 150, from: [40, 60], to: [120, 80] },
    { face: faces[1], size: 120, from: [400, 200], to: [440, 220] },
  ] };
  const video = join(dir, 'faces.mp4');
  await encodeVideo(await renderScene(scene), 640, 480, 10, video);
  await writeFile(join(app, 'ages.mjs'), [
    "import { createPipeline, shippedModelsDir, AGEKIT_VERSION } from 'agekit/device';",
    'const frames = [];',
    'const sink = { write(r) { frames.push(r.faces.map((f) => ({ x: f.box.x, y: f.box.y, w: f.box.w, age: f.age }))); }, async close() {} };',
    "const pipeline = await createPipeline({ source: 'file:' + process.argv[2], sinks: [sink] });",
    'const summary = await pipeline.run(new AbortController().signal);',
    'const ids = { detector: pipeline.detector.id, estimator: pipeline.estimator?.id, models: shippedModelsDir() };',
    'await pipeline.close();',
    'console.log(JSON.stringify({ version: AGEKIT_VERSION, frames: summary.frames, ids, faces: frames }));',
    'process.exit(0);',
  ].join('\n'));
  const { stdout } = await exec(process.execPath, ['ages.mjs', video], app);
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { version: string; frames: number; ids: { detector: string; estimator?: string; models: string }; faces: { x: number; y: number; w: number; age?: number }[][] };
  t.log(`agekit ${out.version}: ${out.frames} frames, detector ${out.ids.detector}, estimator ${out.ids.estimator}, models from ${out.ids.models}`);
  t.is(out.frames, scene.frames);
  // The shipped models come from the installed package, not from this checkout.
  t.is(out.ids.models, join(app, 'node_modules', 'agekit', 'samples', 'models'));
  t.truthy(out.ids.estimator, 'the shipped student was not loaded');
  // Each face is found in most frames, with an age within 20 years of the dataset's label.
  scene.faces.forEach((p, i) => {
    const near = out.faces.map((fs) => fs.find((f) => Math.abs(f.x + f.w / 2 - (p.from[0] + p.size / 2)) < p.size && f.age !== undefined)).filter((f) => f !== undefined);
    t.true(near.length >= scene.frames * 0.8, `face ${i} found in ${near.length}/${scene.frames} frames`);
    const ages = near.map((f) => f!.age!).sort((a, b) => a - b);
    const median = ages[Math.floor(ages.length / 2)];
    t.log(`face ${i}: labelled ${p.face.age}, median estimate ${median.toFixed(1)}`);
    t.true(Math.abs(median - p.face.age) < 20, `face ${i}: ${median} vs ${p.face.age}`);
  });
});

test('the README examples type-check against the installed package with tsc --strict and nodenext resolution; private paths do not resolve', async (t) => {
  const examples = join(projectRoot, 'test', 'package', 'examples');
  for (const f of await readdir(examples)) await copyFile(join(examples, f), join(app, f));
  await writeFile(join(app, 'private-path.ts'), "import { buildNet } from 'agekit/host/nets/index.js';\nconsole.log(buildNet);\n");
  const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck'];
  const examplesFiles = (await readdir(examples)).filter((f) => f.endsWith('.ts'));
  await t.notThrowsAsync(exec(process.execPath, [tsc, ...args, ...examplesFiles], app).catch((e: { stdout?: string }) => { throw new Error(e.stdout); }));
  const privatePath = await exec(process.execPath, [tsc, ...args, 'private-path.ts'], app).then(() => '', (e: { stdout?: string }) => e.stdout ?? '');
  t.regex(privatePath, /TS2307|Cannot find module 'agekit\/host\/nets\/index\.js'/);
  const node = await exec(process.execPath, ['--input-type=module', '-e', "await import('agekit/host/nets/index.js')"], app).then(() => '', (e: { stderr?: string }) => e.stderr ?? '');
  t.regex(node, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test('the installed agekit command runs the compiled CLI', async (t) => {
  const bin = join(app, 'node_modules', '.bin', 'agekit');
  const version = await exec(bin, ['--version'], app);
  t.is(version.stdout.trim(), JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(projectRoot, 'package.json'), 'utf8'))).version);
  const help = await exec(bin, ['run', '--help'], app);
  t.regex(help.stdout, /--source/);
});
