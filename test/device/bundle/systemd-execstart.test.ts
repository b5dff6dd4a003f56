// ExecStart under a real systemd: the unit's own ExecStart line and EnvironmentFile, read by the
// machine's systemd booted as PID 1 of a private PID and mount namespace, with a recorder in place
// of agekit-device. It shows the arguments and AGEKIT_SOURCE exactly as the service would receive
// them. Needs root, unshare and /lib/systemd/systemd (the CI installs systemd); skipped elsewhere.
//
// Safety: systemd at boot empties /tmp and /var/tmp (tmpfiles "D /tmp"), so the namespace mounts
// fresh tmpfs over /run, /tmp, /var/tmp and /etc/systemd/system before systemd starts, and the
// probe units have DefaultDependencies=no so that nothing but them starts. The namespace's PID 1
// is killed when the recorder has written (or after 20 s).
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_STATE_DIR } from '../../../device/bundle/build-bundle.ts';
import { projectRoot } from '../../support/shared-data.ts';

const SYSTEMD = '/lib/systemd/systemd';
const PROBE = '/run/agekit-probe'; // where the probe folder appears inside the namespace

function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (booting systemd in a namespace needs root)';
  if (!existsSync(SYSTEMD)) return `no ${SYSTEMD} (apt-get install systemd)`;
  const u = spawnSync('unshare', ['-p', '-f', '-m', '--mount-proc', 'true']);
  if (u.error || u.status !== 0) return `unshare cannot make PID and mount namespaces here (${u.error?.message ?? u.stderr.toString().trim()})`;
  return undefined;
}
const why = unavailable();
if (why) console.log(`SKIPPED systemd ExecStart tests: ${why}`);
const systemdTest = why ? test.serial.skip : test.serial;

const unitTemplate = () => readFileSync(join(projectRoot, 'device', 'bundle', 'files', 'agekit.service'), 'utf8').replaceAll('@STATE_DIR@', SERVICE_STATE_DIR);
const envExample = () => readFileSync(join(projectRoot, 'device', 'bundle', 'files', 'agekit.env.example'), 'utf8')
  .replaceAll('@STATE_DIR@', SERVICE_STATE_DIR).replaceAll('@MODEL_ARG@', '--model /opt/agekit/models/student.tflite');

interface Received { argv: string[]; source: string | undefined; mallocArenaMax: string | undefined }

/** Boot systemd on a unit made of agekit.service's ExecStart and Environment lines with `envText` as its EnvironmentFile. */
async function execStartReceives(envText: string): Promise<Received> {
  const dir = mkdtempSync(join(tmpdir(), 'agekit-systemd-'));
  try {
    const service = unitTemplate().split('\n');
    const execStart = service.find((l) => l.startsWith('ExecStart='))!.replace('/opt/agekit/agekit-device', `${PROBE}/agekit-device`);
    const environment = service.filter((l) => l.startsWith('Environment='));
    writeFileSync(join(dir, 'agekit.env'), envText);
    writeFileSync(join(dir, 'agekit-device'), `#!/bin/sh\n{ for a in "$@"; do printf 'ARG<%s>\\n' "$a"; done; printf 'ARENA<%s>\\n' "\${MALLOC_ARENA_MAX-(unset)}"; printf 'SOURCE<%s>\\n' "\${AGEKIT_SOURCE-(unset)}"; } > ${PROBE}/received.tmp && mv ${PROBE}/received.tmp ${PROBE}/received\n`);
    chmodSync(join(dir, 'agekit-device'), 0o755);
    writeFileSync(join(dir, 'boot.sh'), [
      '#!/bin/sh', 'set -e',
      'mount -t tmpfs tmpfs /run', `mkdir -p /run/systemd/system ${PROBE}`, `mount --bind "$1" ${PROBE}`,
      'for d in /tmp /var/tmp /etc/systemd/system; do mount -t tmpfs tmpfs $d; done',
      `cat > /etc/systemd/system/agekit-probe.service <<'UNIT'`,
      '[Unit]', 'DefaultDependencies=no', '[Service]', 'Type=oneshot', `EnvironmentFile=${PROBE}/agekit.env`, ...environment, execStart, 'UNIT',
      `cat > /etc/systemd/system/agekit-probe.target <<'UNIT'`,
      '[Unit]', 'DefaultDependencies=no', 'Requires=agekit-probe.service', 'After=agekit-probe.service', 'UNIT',
      `exec env container=agekit-test ${SYSTEMD} --system --unit=agekit-probe.target --log-target=console --log-level=warning`,
      '',
    ].join('\n'));
    chmodSync(join(dir, 'boot.sh'), 0o755);
    const boot = spawn('timeout', ['-s', 'KILL', '20', 'unshare', '-p', '-f', '-m', '--mount-proc', '--propagation', 'private', join(dir, 'boot.sh'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    boot.stderr.on('data', (d) => { log += d; });
    const ended = new Promise<void>((resolve) => boot.on('close', () => resolve()));
    const received = join(dir, 'received');
    const until = Date.now() + 20_000;
    while (!existsSync(received) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    // systemd ignores SIGTERM as PID 1: kill the whole namespace through timeout's child.
    spawnSync('pkill', ['-KILL', '-f', `${SYSTEMD} --system --unit=agekit-probe.target`]);
    await ended;
    if (!existsSync(received)) throw new Error(`the probe unit never ran under systemd; its log:\n${log.slice(-2000)}`);
    const lines = readFileSync(received, 'utf8').trimEnd().split('\n');
    const source = /^SOURCE<(.*)>$/.exec(lines.at(-1)!)![1];
    const arena = /^ARENA<(.*)>$/.exec(lines.at(-2)!)![1];
    return { argv: lines.slice(0, -2).map((l) => /^ARG<(.*)>$/.exec(l)![1]), source: source === '(unset)' ? undefined : source, mallocArenaMax: arena === '(unset)' ? undefined : arena };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

systemdTest('the shipped env file reaches agekit-device as whole arguments, the camera as one AGEKIT_SOURCE value', async (t) => {
  const r = await execStartReceives(envExample());
  t.deepEqual(r.argv, ['run', '--size', '640x480', '--fps', '30', '--model', '/opt/agekit/models/student.tflite', '--http', '127.0.0.1:8080', '--report', `${SERVICE_STATE_DIR}/report.json`, '--out', '/dev/null', '--no-status']);
  t.is(r.source, 'v4l2:/dev/video0');
  t.is(r.mallocArenaMax, '2', 'the unit\'s Environment= reaches the process');
});

systemdTest('a gst: pipeline in AGEKIT_SOURCE keeps its spaces and "!" through systemd', async (t) => {
  const env = envExample().replace(/^AGEKIT_SOURCE=.*$/m, 'AGEKIT_SOURCE="gst:nvarguscamerasrc ! nvvidconv"');
  const r = await execStartReceives(env);
  t.is(r.source, 'gst:nvarguscamerasrc ! nvvidconv');
  t.is(r.argv[0], 'run');
});

systemdTest('quoting inside AGEKIT_ARGS: this systemd keeps a quoted value whole, an unquoted one splits', async (t) => {
  const quoted = await execStartReceives(`AGEKIT_ARGS="run --source 'gst:v4l2src ! videoconvert' --no-status"\n`);
  t.deepEqual(quoted.argv, ['run', '--source', 'gst:v4l2src ! videoconvert', '--no-status']);
  t.is(quoted.source, undefined);
  const bare = await execStartReceives('AGEKIT_ARGS=run --source gst:v4l2src ! videoconvert\n');
  t.deepEqual(bare.argv, ['run', '--source', 'gst:v4l2src', '!', 'videoconvert']);
  const version = spawnSync(SYSTEMD, ['--version']).stdout.toString().split('\n')[0];
  t.log(`${version}: quotes inside $AGEKIT_ARGS are honoured`);
});
