/**
 * The clean-machine proof of a device bundle, shared by the linux-arm64 and linux-x64 tests:
 * build the bundle (as a .tar.gz), unpack it in a clean Debian 12 root that has ffmpeg and no
 * Node.js or compiler, and there, with the network cut: install.sh --check, install.sh
 * --no-service, run on a video of real UTKFace faces, bench --json, cameras, the service install
 * refused without systemd (nothing changed), uninstall. Detections and ages are compared with the
 * same video run on this machine from the sources.
 */
import type { ExecutionContext } from 'ava';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildBundle, type BundleResult } from '../../../device/bundle/build-bundle.ts';
import type { BundleTargetName } from '../../../device/bundle/bundle-target.ts';
import { projectRoot } from '../../support/shared-data.ts';
import { bundlePackageCache, requireDebianRoot, rootRecipe, runInRoot, type DebianArch } from './debian-root.ts';
import { encodeVideo, faceTile, pickValFaces, renderScene, type Scene } from './face-scene.ts';
import { matchesTile } from './scene-truth.ts';
import { runCli } from './run-cli.ts';

export interface ScenarioFigures {
  target: BundleTargetName;
  bundleSeconds: number;
  unpackedMB: number;
  tarMB: number;
  largest: string;
  installSeconds: number;
  runSeconds: number;
  benchSeconds: number;
}

const FRAMES = 4;
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

interface JsonFace { track: number; box: [number, number, number, number]; age: number }
const readFaces = (jsonl: string) => jsonl.trim().split('\n').map((l) => (JSON.parse(l) as { faces: JsonFace[] }).faces);

/** Two real val faces of 20-60 years moving slowly over a textured background, 4 fps. */
async function writeFacesVideo(utk: string, out: string): Promise<Scene> {
  const faces = pickValFaces(utk, 2, 20, 60);
  const scene: Scene = { width: 320, height: 240, frames: FRAMES, faces: [
    { face: faces[0], size: 100, from: [20, 40], to: [40, 50] }, { face: faces[1], size: 90, from: [190, 100], to: [180, 110] }] };
  await encodeVideo(await renderScene(scene), scene.width, scene.height, 4, out);
  return scene;
}

export async function cleanRootScenario(t: ExecutionContext, targetName: BundleTargetName, utk: string, tmp: string): Promise<ScenarioFigures | undefined> {
  const arch: DebianArch = targetName === 'linux-arm64' ? 'arm64' : 'amd64';
  const root = requireDebianRoot(t, arch);
  if (!root) return undefined;
  t.log(`root ${root} (${rootRecipe(root)})`);

  const t0 = Date.now();
  const bundle: BundleResult = await buildBundle({ target: targetName, out: join(tmp, `agekit-device-${targetName}`), tar: true, cacheDir: bundlePackageCache });
  const bundleSeconds = (Date.now() - t0) / 1000;
  t.is(bundle.manifest.target, targetName);
  const tarBytes = readFileSync(bundle.tarball!).length;

  // A fresh copy of the bundle in the root, unpacked from the archive a user would copy over.
  const home = join(root, 'root', 'agekit-test');
  rmSync(home, { recursive: true, force: true });
  rmSync(join(root, 'opt', 'agekit'), { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', bundle.tarball!, '-C', home], { encoding: 'utf8' });
  t.is(untar.status, 0, untar.stderr);
  const scene = await writeFacesVideo(utk, join(home, 'faces.mp4'));
  const inRoot = `/root/agekit-test/agekit-device-${targetName}`;

  // Leftovers of an earlier, interrupted run in this cached root go first.
  const reset = 'userdel agekit 2>/dev/null; rm -rf /etc/agekit /var/lib/agekit /opt/agekit /etc/systemd/system/agekit.service /usr/local/bin/systemctl; true';
  await runInRoot(root, reset);
  // The machine is clean: no Node.js, npm or compiler; and the network is really cut.
  const clean = await runInRoot(root, 'for t in node nodejs npm cc gcc g++ make python3; do command -v $t && exit 1; done; ffmpeg -version | head -n 1');
  t.is(clean.code, 0, `found in the root: ${clean.stdout}`);
  const netns = await runInRoot(root, 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "');
  t.deepEqual(netns.stdout.trim().split('\n'), ['lo'], 'unshare -n leaves only the loopback interface');

  const check = await runInRoot(root, `cd ${inRoot} && ./install.sh --check`);
  t.is(check.code, 0, check.stderr);
  t.regex(check.stderr, new RegExp(`ok +architecture: ${targetName}`));
  t.regex(check.stderr, /ok +bundle files match SHA256SUMS/);
  t.regex(check.stderr, /ok +ffmpeg: \/usr\/bin\/ffmpeg/);
  t.regex(check.stderr, /warning +no \/dev\/video\* device/);
  t.regex(check.stderr, /ok +TFLite runtime: agekit check: tflite on xnnpack \(\d+ threads?\), XNNPACK shim bundled/);

  // Without systemd the service install refuses before changing anything.
  const refused = await runInRoot(root, `cd ${inRoot} && ./install.sh; echo "exit=$?"; id agekit || echo no-user; ls /etc/agekit /opt/agekit 2>&1 | head -n 2`);
  t.regex(refused.stderr, /systemctl not found: .*--no-service.*; nothing was changed/);
  t.regex(refused.stdout, /exit=1\n.*no-user/s);
  t.regex(refused.stdout, /cannot access '\/etc\/agekit'/);

  const install = await runInRoot(root, `cd ${inRoot} && ./install.sh --no-service`);
  t.is(install.code, 0, install.stderr);
  t.regex(install.stderr, /installed in \/opt\/agekit \(files only\)/);
  t.true(existsSync(join(root, 'opt', 'agekit', 'node', 'bin', 'node')));

  const run = await runInRoot(root, `cd /root/agekit-test && /opt/agekit/agekit-device run --source file:/root/agekit-test/faces.mp4 --max-frames ${FRAMES} --out run.jsonl --report report.json --no-status`);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /detector \/opt\/agekit\/models\/blazeface\.tflite: tflite \(tfjs-tflite-node, native, xnnpack/);
  const got = readFaces(readFileSync(join(home, 'run.jsonl'), 'utf8'));
  t.is(got.length, FRAMES);
  got.forEach((faces, f) => {
    const tiles = scene.faces.map((_, i) => faceTile(scene, i, f));
    t.is(faces.length, 2, `frame ${f}: ${JSON.stringify(faces)}`);
    for (const tile of tiles) t.true(faces.some((d) => matchesTile({ x: d.box[0], y: d.box[1], w: d.box[2], h: d.box[3] }, tile)), `frame ${f}: no detection on ${JSON.stringify(tile)}`);
  });
  // Plausible ages: within 15 years of each face's label (the student's val MAE is about 6).
  for (const [i, p] of scene.faces.entries()) {
    const tile = faceTile(scene, i, 0);
    const d = got[0].find((x) => matchesTile({ x: x.box[0], y: x.box[1], w: x.box[2], h: x.box[3] }, tile))!;
    t.true(Math.abs(d.age - p.face.age) <= 15, `face ${i}: age ${d.age} for label ${p.face.age}`);
  }
  const report = JSON.parse(readFileSync(join(home, 'report.json'), 'utf8')) as { machine: { arch: string; emulated?: string } };
  t.is(report.machine.arch, targetName === 'linux-arm64' ? 'arm64' : 'x64');
  t.is(report.machine.emulated !== undefined, process.arch !== report.machine.arch, `report.machine.emulated: ${report.machine.emulated}`);

  // The same video on this machine from the sources: the bundle computes the same thing, up to
  // what the target's own ffmpeg (its SIMD YUV to RGB conversion rounds differently) changes in
  // the pixels: boxes within 2 px, ages within 2 years of the int8 student.
  const host = await runCli(process.execPath, ['--import', 'tsx', 'device/main.ts', 'run', '--source', `file:${join(home, 'faces.mp4')}`, '--max-frames', String(FRAMES), '--no-status'], { cwd: projectRoot });
  t.is(host.code, 0, host.stderr);
  let maxBox = 0, maxAge = 0;
  readFaces(host.stdout).forEach((faces, f) => {
    for (const h of faces) {
      const d = got[f].find((x) => x.track === h.track)!;
      maxBox = Math.max(maxBox, ...h.box.map((v, k) => Math.abs(v - d.box[k])));
      maxAge = Math.max(maxAge, Math.abs(h.age - d.age));
      t.true(h.box.every((v, k) => Math.abs(v - d.box[k]) <= 2), `frame ${f} track ${h.track}: box ${d.box} in the bundle, ${h.box} here`);
      t.true(Math.abs(h.age - d.age) <= 2, `frame ${f} track ${h.track}: age ${d.age} in the bundle, ${h.age} here`);
    }
  });
  t.log(`bundle on ${targetName} vs sources here: boxes differ by at most ${maxBox.toFixed(1)} px, ages by at most ${maxAge.toFixed(1)} years`);

  const bench = await runInRoot(root, 'cd /root/agekit-test && /opt/agekit/agekit-device bench --frames 2 --threads 2 --json bench.json');
  t.is(bench.code, 0, bench.stderr);
  const benchJson = JSON.parse(readFileSync(join(home, 'bench.json'), 'utf8')) as { emulated?: string; results: Array<{ accelerator: string }> };
  t.regex(benchJson.results[0].accelerator, /^xnnpack/);
  if (process.arch !== (targetName === 'linux-arm64' ? 'arm64' : 'x64')) {
    t.regex(benchJson.emulated ?? '', /emulated/, 'bench --json says it ran under emulation');
    t.regex(bench.stderr, /WARNING: running under emulation/);
  } else t.is(benchJson.emulated, undefined);

  const cameras = await runInRoot(root, '/opt/agekit/agekit-device cameras');
  t.is(cameras.code, 1);
  t.regex(cameras.stderr, /no camera found \(no \/dev\/video\* device/);

  // The service install, over the files-only one (an upgrade). The root has no systemd: a
  // stand-in systemctl records what install.sh asks of it; everything else is the real thing.
  const systemctl = join(root, 'usr', 'local', 'bin', 'systemctl');
  writeFileSync(systemctl, '#!/bin/sh\necho "systemctl $*" >> /root/agekit-test/systemctl.log\n', { mode: 0o755 });
  try {
    const service = await runInRoot(root, `cd ${inRoot} && ./install.sh && id agekit && stat -c '%U %a' /var/lib/agekit /var/lib/agekit/cache /etc/agekit/agekit.env && ` +
      "grep -E '^(ExecStart|User)=' /etc/systemd/system/agekit.service && grep -c AGEKIT_ARGS /etc/agekit/agekit.env && " +
      "su -s /bin/sh agekit -c '/opt/agekit/agekit-device check' 2>&1 | tail -n 1");
    t.is(service.code, 0, service.stderr);
    t.regex(service.stderr, /installed in \/opt\/agekit and started as the agekit service/);
    t.regex(service.stdout, /uid=\d+\(agekit\) gid=\d+\(agekit\) groups=\d+\(agekit\),\d+\(video\)/);
    t.regex(service.stdout, /agekit 750\nagekit 700\nroot 600\n/, 'the env file (MQTT passwords, HTTP tokens) is root-only');
    t.regex(service.stdout, /ExecStart=\/opt\/agekit\/agekit-device \$AGEKIT_ARGS\nUser=agekit|User=agekit\n.*ExecStart=\/opt\/agekit\/agekit-device \$AGEKIT_ARGS/s);
    // The service user can read the install and runs TFLite on the bundled XNNPACK library.
    t.regex(service.stdout, /agekit check: tflite on xnnpack .*XNNPACK shim bundled \(\/opt\/agekit\/native\/libagekit-xnnpack\.so\)/);
    t.deepEqual(readFileSync(join(home, 'systemctl.log'), 'utf8').trim().split('\n'), ['systemctl daemon-reload', 'systemctl enable agekit.service', 'systemctl restart agekit.service']);
    const uninstall = await runInRoot(root, `cd ${inRoot} && ./install.sh --uninstall`);
    t.is(uninstall.code, 0, uninstall.stderr);
    t.regex(uninstall.stderr, /service agekit stopped and removed[^]*removed \/opt\/agekit[^]*kept: \/etc\/agekit/);
    t.false(existsSync(join(root, 'opt', 'agekit')));
    t.false(existsSync(join(root, 'etc', 'systemd', 'system', 'agekit.service')));
  } finally {
    await runInRoot(root, reset);
  }
  rmSync(home, { recursive: true, force: true });

  if (process.arch === (targetName === 'linux-arm64' ? 'arm64' : 'x64')) checkOnThisMachine(t, bundle, tmp);
  else checkWrongMachine(t, bundle, tmp);

  const figures: ScenarioFigures = {
    target: targetName, bundleSeconds, unpackedMB: mb(bundle.manifest.bytes), tarMB: mb(tarBytes),
    largest: bundle.parts.slice(0, 5).map((p) => `${p.part} ${mb(p.bytes)} MB`).join(', '),
    installSeconds: install.ms / 1000, runSeconds: run.ms / 1000, benchSeconds: bench.ms / 1000,
  };
  t.log(JSON.stringify(figures));
  return figures;
}

/** On a machine of another architecture: install.sh and the launcher refuse clearly, and nothing is created. */
function checkWrongMachine(t: ExecutionContext, bundle: BundleResult, tmp: string): void {
  const prefix = join(tmp, 'wrong-arch-prefix');
  const install = spawnSync(join(bundle.out, 'install.sh'), ['--no-service', '--prefix', prefix], { encoding: 'utf8' });
  t.is(install.status, 1);
  t.regex(install.stderr, new RegExp(`install\\.sh: this bundle is for ${bundle.target}, but this machine is linux-x64 \\(uname -m: x86_64\\); build a bundle for it: agekit bundle --target linux-x64; nothing was changed`));
  t.false(existsSync(prefix), 'nothing was created');
  const launch = spawnSync(join(bundle.out, 'agekit-device'), ['--version'], { encoding: 'utf8' });
  t.is(launch.status, 1);
  t.regex(launch.stderr, new RegExp(`agekit-device: this bundle is for ${bundle.target}, but this machine is x86_64`));
}

/**
 * On a machine of the bundle's architecture: a damaged copy is refused before anything is
 * created, naming the file; and systemd accepts the unit (systemd-analyze verify, when present).
 */
function checkOnThisMachine(t: ExecutionContext, bundle: BundleResult, tmp: string): void {
  const damaged = join(tmp, 'damaged');
  spawnSync('cp', ['-R', bundle.out, damaged]);
  spawnSync('sh', ['-c', `printf x >> "${join(damaged, 'models', 'blazeface.tflite')}"`]);
  const prefix = join(tmp, 'damaged-prefix');
  const r = spawnSync(join(damaged, 'install.sh'), ['--no-service', '--prefix', prefix], { encoding: 'utf8' });
  t.is(r.status, 1);
  t.regex(r.stderr, /files differ from SHA256SUMS \(the copy is incomplete or damaged; copy the bundle again, or unpack the \.tar\.gz again\):\nmodels\/blazeface\.tflite: FAILED/);
  t.false(existsSync(prefix), 'nothing was created');
  if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status !== 0) {
    t.log('systemd-analyze not found: the unit is not verified');
    return;
  }
  // The unit as install.sh writes it, pointing at this copy; verify needs the executable to exist.
  const unitDir = join(tmp, 'unit');
  mkdirSync(unitDir, { recursive: true });
  const unit = readFileSync(join(bundle.out, 'agekit.service'), 'utf8').split('/opt/agekit').join(bundle.out);
  writeFileSync(join(unitDir, 'agekit.service'), unit);
  const verify = spawnSync('systemd-analyze', ['verify', '--man=no', join(unitDir, 'agekit.service')], { encoding: 'utf8' });
  t.is(verify.status, 0, verify.stderr);
  for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'ReadWritePaths=/var/lib/agekit', 'CapabilityBoundingSet=',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'DevicePolicy=closed', 'DeviceAllow=char-video4linux rw', 'DeviceAllow=/dev/apex_0 rw', 'User=agekit', 'SupplementaryGroups=video']) {
    t.true(unit.split('\n').includes(line), `the unit has ${line}`);
  }
}
