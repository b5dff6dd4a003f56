// agekit run against faults and hostile input: wrong models, credentials in specs, too many threads.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { runDevice } from '../../../device/cli/run-device.ts';
import { TfliteRunner } from '../../../core/runtime/tflite-runner.ts';
import { SourceError, UsageError } from '../../../core/errors.ts';
import { freePort, startMosquitto, stopMosquitto } from '../support/mosquitto.ts';
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

test('--threads above the cores is a usage error naming the flag and the core count', async (t) => {
  const r = await agekit(['run', '--source', 'images:/nonexistent', '--threads', '4096', '--no-status']);
  t.is(r.code, 2);
  t.regex(r.stderr, new RegExp(`--threads: 4096 threads is more than the ${availableParallelism()} cores this machine gives agekit; use at most ${availableParallelism()}`));
  await t.throwsAsync(TfliteRunner.create({ modelPath: student, threads: availableParallelism() + 1 }), { instanceOf: UsageError, message: /threads is more than the \d+ cores/ });
});

test('credentials in --source and --mqtt URLs appear in no output: stderr, /status, report.json; the stream still gets them', async (t) => {
  // A real HTTP video server that insists on basic auth, a real broker, and agekit run in-process.
  const video = join(dir, 'clip.mp4');
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '4', '-pix_fmt', 'yuv420p', video]);
  const authSeen: string[] = [];
  const server = createServer((req, res) => {
    authSeen.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== `Basic ${Buffer.from('admin:hunter2').toString('base64')}`) { res.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' }).end(); return; }
    const body = readFileSync(video);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  const mqttPort = await freePort();
  const broker = await startMosquitto(dir, mqttPort);
  t.teardown(() => stopMosquitto(broker));

  const source = `http://admin:hunter2@127.0.0.1:${(server.address() as AddressInfo).port}/clip.mp4`;
  const report = join(dir, 'secret-report.json');
  let stderr = '';
  const err = new PassThrough().on('data', (d) => { stderr += d; });
  let status = '';
  await runDevice({
    source, ages: false, threads: 1, status: false, report, http: '127.0.0.1:0', maxFrames: 25,
    mqtt: `mqtt://mqttuser:s3cr3t-pass@127.0.0.1:${mqttPort}/door`,
    onListening: (url) => { setTimeout(() => { void fetch(`${url}/status`).then((r) => r.text()).then((s) => { status = s; }); }, 300); },
  }, new AbortController().signal, { stdout: new PassThrough().resume(), stderr: err });
  t.true(authSeen.some((a) => a.startsWith('Basic ')), 'ffmpeg got the credentials');
  const written = readFileSync(report, 'utf8');
  for (const [name, text] of [['stderr', stderr], ['report.json', written], ['/status', status]] as const) {
    t.false(/hunter2|s3cr3t-pass/.test(text), `${name} leaks a password: ${text.slice(0, 400)}`);
  }
  t.regex(stderr, /MQTT to mqtt:\/\/\*\*\*@127\.0\.0\.1:\d+\/door/);
  t.regex(stderr, /mqtt connected to mqtt:\/\/\*\*\*@127\.0\.0\.1/);
  t.regex(JSON.parse(written).source.spec, /^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/clip\.mp4$/);
  t.regex(JSON.parse(status).source, /^http:\/\/\*\*\*@127\.0\.0\.1/);
  t.is(JSON.parse(written).frames, 25);
});

test('error messages redact URL credentials and secret query parameters', (t) => {
  const e = new SourceError('cannot open rtsp://admin:hunter2@10.0.0.5:554/live?token=abc123&x=1', { where: 'rtsp://u:p@cam' });
  t.is(e.message, 'rtsp://***@cam: cannot open rtsp://***@10.0.0.5:554/live?token=***&x=1');
});

test('a file source that fails mid-run still writes --report with the frames processed, and exits 1 saying why', async (t) => {
  const clip = join(dir, 'long.ts');
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '120', '-f', 'mpegts', clip]);
  const report = join(dir, 'midrun-report.json');
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'device', 'main.ts'), 'run', '--source', `file:${clip}`, '--no-ages', '--no-status', '--threads', '1', '--report', report],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => { stdout += d; if (stdout.split('\n').length > 20) resolve(); }));
  // The file goes away under the running source and its ffmpeg dies: no restart can read it, and the source gives up.
  unlinkSync(clip);
  const ffmpeg = (await promisify(execFile)('pgrep', ['-P', String(child.pid), '-x', 'ffmpeg'])).stdout.trim().split('\n').map(Number);
  for (const pid of ffmpeg) process.kill(pid, 'SIGKILL');
  t.is(await exit, 1, stderr);
  t.regex(stderr, /ffmpeg failed \d+ times in a row without a frame/);
  t.regex(stderr, /stopped early \(.*\); the report covers the \d+ frames processed/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  t.true(rep.frames >= 20, `report frames ${rep.frames}`);
  t.regex(rep.stopped_by, /failed \d+ times in a row/);
});
