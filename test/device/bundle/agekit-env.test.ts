// The service's env file: what systemd hands agekit from it. ExecStart=agekit-device $AGEKIT_ARGS
// splits AGEKIT_ARGS at whitespace, so the shipped file keeps spaces out of it and a source with
// spaces comes through AGEKIT_SOURCE (one value, read by agekit itself). systemd-execstart.test.ts
// checks the same file under the machine's real systemd.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { SERVICE_STATE_DIR } from '../../../device/bundle/build-bundle.ts';
import { dataTest, requireUtkface, projectRoot } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-env-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** KEY=value lines of the env file, commented examples included (`#   ... AGEKIT_SOURCE="..."`), quotes removed as systemd does. */
function envAssignments(text: string): Array<{ key: string; value: string; example: boolean }> {
  const out: Array<{ key: string; value: string; example: boolean }> = [];
  for (const line of text.split('\n')) {
    const m = /(?:^|\s)([A-Z_]+)=("([^"]*)"|(\S*))\s*$/.exec(line);
    if (m) out.push({ key: m[1], value: m[3] ?? m[4], example: line.trimStart().startsWith('#') });
  }
  return out;
}
const example = () => readFileSync(join(projectRoot, 'device', 'bundle', 'files', 'agekit.env.example'), 'utf8')
  .replaceAll('@STATE_DIR@', SERVICE_STATE_DIR).replaceAll('@MODEL_ARG@', '--no-ages');

test('AGEKIT_ARGS split at whitespace (what $AGEKIT_ARGS does) gives whole arguments: no quote characters reach agekit', (t) => {
  const vars = envAssignments(example());
  const args = vars.find((v) => v.key === 'AGEKIT_ARGS' && !v.example)!.value.split(/\s+/);
  t.is(args[0], 'run');
  for (const a of args) t.false(/["']/.test(a), `argument ${a} would reach agekit with its quotes`);
  t.false(args.includes('--source'), 'the source comes from AGEKIT_SOURCE');
  t.is(vars.find((v) => v.key === 'AGEKIT_SOURCE' && !v.example)?.value, 'v4l2:/dev/video0');
  t.true(vars.some((v) => v.key === 'AGEKIT_SOURCE' && v.example && v.value === 'gst:nvarguscamerasrc ! nvvidconv'));
  // The unit expands AGEKIT_ARGS unbraced (split) and never the source: the pipeline stays one value.
  const unit = readFileSync(join(projectRoot, 'device', 'bundle', 'files', 'agekit.service'), 'utf8');
  t.regex(unit, /^ExecStart=\/opt\/agekit\/agekit-device \$AGEKIT_ARGS$/m);
});

dataTest(test)('a source with spaces given as AGEKIT_SOURCE reaches agekit as one value; --source still wins', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const spaced = join(dir, 'camera frames with spaces');
  mkdirSync(spaced);
  await writeFaceFrames(utk, spaced, 2);
  const split = envAssignments(example()).find((v) => v.key === 'AGEKIT_ARGS' && !v.example)!.value.split(/\s+/);
  // Drop the service's own outputs and camera settings (flag and value); keep the rest as systemd passes it.
  const clean = split.filter((a, i) => !/^--(http|report|out|size|fps)$/.test(a) && !/^--(http|report|out|size|fps)$/.test(split[i - 1] ?? ''));
  const device = (env: Record<string, string>, extra: string[] = []) => runCli('/usr/bin/env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, '--import', 'tsx', join(projectRoot, 'device', 'main.ts'), ...clean, '--threads', '1', ...extra], { cwd: projectRoot });
  const r = await device({ AGEKIT_SOURCE: `images:${spaced}` });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /source images:.*camera frames with spaces/);
  t.is(r.stdout.trim().split('\n').length, 2, 'two frames, as JSON lines');
  // The gst example as systemd would pass it: one value, spaces and "!" intact, up to gst-launch.
  const gst = await device({ AGEKIT_SOURCE: 'gst:nvarguscamerasrc ! nvvidconv', PATH: '/nonexistent' });
  t.regex(gst.stderr, /gst:nvarguscamerasrc ! nvvidconv: cannot start gst-launch-1\.0/);
  const flag = await device({ AGEKIT_SOURCE: 'images:/nonexistent' }, ['--source', `images:${spaced}`]);
  t.is(flag.code, 0, flag.stderr);
});
