import test from 'ava';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { buildBundle, BUNDLE_EXTERNALS } from '../../../device/bundle/build-bundle.ts';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-bundle-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

dataTest(test)('the bundle runs from its own folder: one JS file, models, native deps only, service files; SIGTERM exits 0 with the summary', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const out = join(dir, 'agekit-device');
  const r = await buildBundle({ out });
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
  // The device's `npm install` cannot run offline here: the installed packages stand in for it.
  symlinkSync(join(projectRoot, 'node_modules'), join(out, 'node_modules'));
  const imgs = await writeFaceFrames(utk, join(dir, 'imgs'));
  const report = join(dir, 'report.json');
  const run = await runCli(process.execPath, ['agekit-device.mjs', 'run', '--source', `images:${imgs}`, '--loop', '--no-ages', '--threads', '1', '--report', report, '--no-status'],
    { cwd: out, signalAfterLines: { lines: 4, signal: 'SIGTERM' } });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, new RegExp(`detector ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/models/blazeface\\.tflite: tflite`));
  t.regex(run.stderr, /SIGTERM, stopping/);
  const first = JSON.parse(run.stdout.split('\n')[0]);
  t.is(first.faces.length, 2);
  t.true(existsSync(report));
});
