import test from 'ava';
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { buildBundle, BUNDLE_EXTERNALS, SERVICE_CACHE_DIR, type BundleResult } from '../../../device/bundle/build-bundle.ts';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-bundle-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const out = join(dir, 'agekit-device');
let bundle: Promise<BundleResult> | undefined;
/** One bundle build shared by the tests of this file. */
const built = () => (bundle ??= buildBundle({ out }));

dataTest(test)('the bundle runs from its own folder: one JS file, models, native deps only, service files; SIGTERM exits 0 with the summary', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const r = await built();
  t.true(r.bytes > 10_000);
  t.true(r.models.includes('blazeface.tflite'));
  const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
  t.deepEqual(Object.keys(pkg.dependencies).sort(), [...BUNDLE_EXTERNALS].sort());
  for (const [name, version] of Object.entries(pkg.dependencies)) {
    t.is(version, JSON.parse(readFileSync(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')).version, name);
  }
  accessSync(join(out, 'install.sh'), constants.X_OK);
  execFileSync('sh', ['-n', join(out, 'install.sh')]);
  t.regex(readFileSync(join(out, 'agekit.service'), 'utf8'), /ExecStart=\/usr\/bin\/env node \/opt\/agekit\/agekit-device\.mjs \$AGEKIT_ARGS/);
  t.regex(readFileSync(join(out, 'agekit.env.example'), 'utf8'), /AGEKIT_ARGS="run --source v4l2:\/dev\/video0/);
  // The service keeps the XNNPACK library in a cache that survives reboots, and install.sh makes it private to agekit.
  const unit = readFileSync(join(out, 'agekit.service'), 'utf8');
  t.true(unit.split('\n').includes(`Environment=AGEKIT_CACHE=${SERVICE_CACHE_DIR}`), unit);
  t.true(readFileSync(join(out, 'install.sh'), 'utf8').split('\n').some((l) => l.trim().startsWith('install -d -o agekit') && l.trim().endsWith(`-m 700 ${SERVICE_CACHE_DIR}`)));
  // The device's `npm install` cannot run offline here: the installed packages stand in for it.
  symlinkSync(join(projectRoot, 'node_modules'), join(out, 'node_modules'));
  const imgs = await writeFaceFrames(utk, join(dir, 'imgs'));
  const report = join(dir, 'report.json');
  // As the service runs it: the delegate library is built into $AGEKIT_CACHE (the child inherits this worker's env).
  const cache = join(dir, 'cache');
  process.env.AGEKIT_CACHE = cache;
  const run = await runCli(process.execPath, ['agekit-device.mjs', 'run', '--source', `images:${imgs}`, '--loop', '--no-ages', '--threads', '1', '--report', report, '--no-status'],
    { cwd: out, signalAfterLines: { lines: 4, signal: 'SIGTERM' } });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, new RegExp(`detector ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/models/blazeface\\.tflite: tflite`));
  t.regex(run.stderr, /SIGTERM, stopping/);
  t.regex(run.stderr, /blazeface\.tflite: tflite \(.*xnnpack/);
  t.true(readdirSync(cache).some((f) => /^libagekit-xnnpack-.*\.(so|dylib)$/.test(f)), `cache holds ${readdirSync(cache).join(', ')}`);
  const first = JSON.parse(run.stdout.split('\n')[0]);
  t.is(first.faces.length, 2);
  t.true(existsSync(report));
});

/** Run `install.sh --check` with only the given executables on PATH. */
function checkWith(tools: Record<string, string>): { code: number | null; stderr: string } {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  const r = spawnSync('/bin/sh', [join(out, 'install.sh'), '--check', '--prefix', join(dir, 'prefix')], { cwd: out, env: { PATH: bin, HOME: dir }, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

test('install.sh --check warns clearly when no C compiler is found (TFLite then runs without XNNPACK) and installs nothing', async (t) => {
  await built();
  const bare = checkWith({ node: process.execPath });
  t.is(bare.code, 0, bare.stderr);
  t.regex(bare.stderr, /warning: no C compiler found \(cc\); native TFLite will run on its builtin kernels, about 8x slower than on XNNPACK\. Install one: apt-get install gcc/);
  t.false(existsSync(join(dir, 'prefix')), '--check installs nothing');
  const cc = spawnSync('/bin/sh', ['-c', 'command -v cc || command -v gcc'], { encoding: 'utf8' }).stdout.trim();
  if (!cc) {
    t.log('no C compiler on this machine: the positive case is not checked');
    return;
  }
  const withCc = checkWith({ node: process.execPath, cc });
  t.is(withCc.code, 0, withCc.stderr);
  t.notRegex(withCc.stderr, /no C compiler|cannot compile/);
  t.regex(withCc.stderr, /C compiler .*cc found: native TFLite will run on XNNPACK/);
});
