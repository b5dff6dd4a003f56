/**
 * Clean Debian 12 roots for the bundle tests (see make-debian-root.sh): ffmpeg from apt, no
 * Node.js, no compiler; arm64 through qemu-user-static. Roots are cached outside the clone
 * ($AGEKIT_CI_CACHE, default /var/cache/agekit-ci) and reused; a missing one is built when this
 * process can (root, debootstrap, binfmt), else the test is skipped with the reason outside CI
 * and fails under CI=true. Commands run chrooted with the network cut (unshare -n) and a clean
 * environment, /proc and /sys mounted (TFLite's cpuinfo reads them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';

/** Where CI keeps what later runs on the same machine reuse: roots and npm tarballs. */
export const ciCacheDir = process.env.AGEKIT_CI_CACHE ?? '/var/cache/agekit-ci';
/** The npm tarball cache the bundle builds share (node-linux-*, @img/sharp-*). */
export const bundlePackageCache = join(ciCacheDir, 'packages');
const script = join(import.meta.dirname, 'make-debian-root.sh');

export type DebianArch = 'arm64' | 'amd64';

export function debianRootDir(arch: DebianArch): string {
  return join(ciCacheDir, 'roots', `debian12-${arch}`);
}

/** Why this process cannot build a root, or undefined when it can. */
function cannotBuild(arch: DebianArch): string | undefined {
  if (process.getuid?.() !== 0) return 'building it needs root (debootstrap, chroot)';
  if (spawnSync('sh', ['-c', 'command -v debootstrap && command -v unshare && command -v chroot']).status !== 0) return 'debootstrap, unshare or chroot is missing (apt-get install debootstrap)';
  if (arch === 'arm64' && process.arch !== 'arm64' && !existsSync('/usr/bin/qemu-aarch64-static') && !existsSync('/usr/bin/qemu-aarch64')) return 'qemu-user-static is missing (apt-get install qemu-user-static binfmt-support)';
  return undefined;
}

/**
 * The root folder for `arch`, built now if missing and possible (minutes: arm64 takes about 8 on
 * 2 cores, most of it apt under emulation). Undefined after skipping or failing the test.
 */
export function requireDebianRoot(t: ExecutionContext, arch: DebianArch): string | undefined {
  const root = debianRootDir(arch);
  if (existsSync(join(root, '.agekit-root'))) return root;
  const why = cannotBuild(arch);
  if (why) {
    const message = `no Debian 12 ${arch} root at ${root}, and ${why}; .ci/run prepares it (test/device/support/make-debian-root.sh ${arch} ${root})`;
    if (process.env.CI === 'true') t.fail(`${message}: under CI=true the root must be there`);
    else { t.log(`SKIPPED: ${message}`); t.pass(); }
    return undefined;
  }
  t.log(`building the Debian 12 ${arch} root in ${root} (cached for later runs)`);
  const r = spawnSync(script, [arch, root], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) {
    t.fail(`make-debian-root.sh ${arch} failed: ${r.stderr}`);
    return undefined;
  }
  t.log(r.stderr.trim());
  return root;
}

export interface RootRun { code: number | null; stdout: string; stderr: string; ms: number }

/**
 * Run `command` (sh) inside `root` as root, with the network cut, a clean environment, /proc and
 * /sys mounted for the duration. Mounts are per call and undone even when the command fails.
 */
export async function runInRoot(root: string, command: string, timeoutMs = 10 * 60_000): Promise<RootRun> {
  const mounts = [join(root, 'proc'), join(root, 'sys')];
  const unmount = () => { for (const m of [...mounts].reverse()) spawnSync('umount', ['-R', '-l', m]); };
  unmount();
  const check = (r: ReturnType<typeof spawnSync>, what: string) => { if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`); };
  check(spawnSync('mount', ['-t', 'proc', 'proc', mounts[0]], { encoding: 'utf8' }), `mount proc in ${root}`);
  check(spawnSync('mount', ['--rbind', '/sys', mounts[1]], { encoding: 'utf8' }), `mount /sys in ${root}`);
  // Slave: unmounting our copy must not unmount anything under the host's /sys.
  spawnSync('mount', ['--make-rslave', mounts[1]]);
  const t0 = Date.now();
  try {
    return await new Promise<RootRun>((resolve, reject) => {
      const child = spawn('unshare', ['-n', 'chroot', root, '/usr/bin/env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8', '/bin/sh', '-c', command],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); });
    });
  } finally {
    unmount();
  }
}

/** The recipe line a root was built with (its .agekit-root marker). */
export function rootRecipe(root: string): string {
  return readFileSync(join(root, '.agekit-root'), 'utf8').trim();
}
