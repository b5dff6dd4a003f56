/**
 * `agekit bundle`: a self-contained device folder for one target (linux-arm64 for a Raspberry Pi
 * or a Jetson, linux-x64 for a PC). It holds the target's Node.js, the device code as one .mjs,
 * node_modules with only the runtime packages (native parts for the target), the TFLite addon
 * and XNNPACK shim compiled for the target, the models, the `agekit-device` launcher, install.sh,
 * the systemd unit, an env example, README.txt and a manifest with the sha256 of every file.
 * On the device it installs with no network, no npm and no compiler.
 *
 * @example
 * const r = await buildBundle({ target: 'linux-arm64', out: 'dist/agekit-device-linux-arm64', tar: true });
 */
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { commitDir, makeTempDir } from '../../core/atomic-dir.ts';
import { AgekitError, ModelFormatError, UsageError } from '../../core/errors.ts';
import { agekitRoot } from '../../core/package-files.ts';
import { AGEKIT_VERSION } from '../../core/version.ts';
import { BUNDLED_NATIVE_DIR } from '../../core/runtime/bundled-native.ts';
import { shippedModelsDir } from '../pipeline.ts';
import { bundleTarget, hostBundleTarget, type BundleTargetName } from './bundle-target.ts';
import { NpmPackageCache } from './npm-package-cache.ts';
import { compileNative } from './compile-native.ts';
import { copyRuntimeModules, findPackageDir, type BundledPackage } from './runtime-modules.ts';
import { bundleJavaScript } from './bundle-javascript.ts';
import { chooseNodeVersion } from './node-runtime.ts';
import { bundleParts, writeBundleManifest, MANIFEST_FILE, type BundleManifest, type BundlePart } from './bundle-manifest.ts';

export const BUNDLE_ENTRY_FILE = 'agekit-device.mjs';
/** The launcher: runs the bundled Node.js on the .mjs. */
export const BUNDLE_LAUNCHER = 'agekit-device';
/** The service's state folder (report, XNNPACK fallback cache), created by install.sh. */
export const SERVICE_STATE_DIR = '/var/lib/agekit';

export interface BuildBundleOptions {
  /** Default: this machine's target (a UsageError on other machines, e.g. macOS). */
  target?: BundleTargetName;
  /** Output folder, replaced if it holds an earlier bundle. Default dist/agekit-device-<target> in the checkout. */
  out?: string;
  /** Also write <out>.tar.gz (one folder named like `out`). Default false. */
  tar?: boolean;
  /** Model files to ship; default every .tflite (and model card) in samples/models. */
  models?: string[];
  /** Node.js version to bundle; default this process's version (it must satisfy engines.node). */
  nodeVersion?: string;
  /** Cache of downloaded npm tarballs; default see NpmPackageCache. */
  cacheDir?: string;
  /** Minify the JavaScript. Default false (readable stack traces on the device). */
  minify?: boolean;
  /** One line per step, for the CLI's stderr. */
  onProgress?: (line: string) => void;
}

export interface BundleResult {
  out: string;
  target: BundleTargetName;
  /** <out>.tar.gz when `tar` was asked for. */
  tarball?: string;
  manifest: BundleManifest;
  /** Unpacked size by part, largest first. */
  parts: BundlePart[];
  models: string[];
  /** Seconds the build took. */
  seconds: number;
}

const run = promisify(execFile);

/**
 * Read a template from device/bundle/files/ in the checkout (also when this code runs compiled,
 * from dist/) and fill its @NAME@ fields. An unfilled field is a bug in this file.
 */
async function template(root: string, name: string, fields: Record<string, string>): Promise<string> {
  let text = await readFile(join(root, 'device', 'bundle', 'files', name), 'utf8');
  for (const [k, v] of Object.entries(fields)) text = text.split(`@${k}@`).join(v);
  const left = /@[A-Z_]+@/.exec(text);
  if (left) throw new Error(`device/bundle/files/${name}: template field ${left[0]} has no value`);
  return text;
}

/** Refuse to replace a folder that is not an earlier bundle. */
async function checkOut(out: string): Promise<void> {
  if (!existsSync(out)) return;
  if (!(await stat(out)).isDirectory()) throw new UsageError(`${out} exists and is not a folder`, { where: '--out', hint: 'give a new folder' });
  const entries = await readdir(out);
  if (entries.length && !entries.includes(MANIFEST_FILE)) {
    throw new UsageError(`${out} is not empty and holds no agekit bundle (no ${MANIFEST_FILE}); it would be replaced`, { where: '--out', hint: 'give a new or empty folder' });
  }
}

/** Modes a service user can read: folders and executables 755, other files 644. */
async function normalizeModes(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { await chmod(p, 0o755); await normalizeModes(p); } else if (e.isFile()) await chmod(p, ((await stat(p)).mode & 0o111) ? 0o755 : 0o644);
  }
}

export async function buildBundle(o: BuildBundleOptions = {}): Promise<BundleResult> {
  const t0 = Date.now();
  const say = o.onProgress ?? (() => undefined);
  const targetName = o.target ?? hostBundleTarget();
  if (!targetName) throw new UsageError(`this machine (${process.platform}-${process.arch}) is no bundle target`, { where: '--target', hint: 'give --target linux-arm64 or --target linux-x64' });
  const target = bundleTarget(targetName);
  const root = agekitRoot();
  if (!root) throw new UsageError('agekit bundle runs from an agekit checkout, not from inside a bundle', { where: 'agekit bundle', hint: 'run it on your computer, in the agekit folder' });
  const out = resolve(o.out ?? join(root, 'dist', `agekit-device-${target.name}`));
  await checkOut(out);
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const nodeVersion = chooseNodeVersion(pkg.engines?.node ?? '>=20', o.nodeVersion);
  const cache = new NpmPackageCache({ dir: o.cacheDir });

  const modelFiles = o.models ?? (existsSync(shippedModelsDir()) ? (await readdir(shippedModelsDir())).filter((f) => /\.(tflite|md)$/i.test(f)).sort().map((f) => join(shippedModelsDir(), f)) : []);
  for (const m of modelFiles) if (!existsSync(m)) throw new ModelFormatError('model to bundle not found', { where: m, hint: 'check the path given to --model' });
  const models = modelFiles.map((m) => basename(m));
  if (!models.some((c) => /blazeface.*\.tflite$/i.test(c))) {
    throw new ModelFormatError('no face detector to bundle (blazeface.tflite)', { where: shippedModelsDir(), hint: 'convert BlazeFace first (agekit convert) or pass its path to --model' });
  }

  await mkdir(dirname(out), { recursive: true });
  const tmp = await makeTempDir(out);
  const staging = await makeTempDir(join(dirname(out), `${basename(out)}-staging`));
  try {
    say(`JavaScript: esbuild device/main.ts -> ${BUNDLE_ENTRY_FILE}`);
    await bundleJavaScript({ projectRoot: root, outFile: join(tmp, BUNDLE_ENTRY_FILE), minify: o.minify });

    say(`Node.js ${nodeVersion} for ${target.name}: ${target.nodePackage} (package cache ${cache.dir})`);
    const node = await cache.unpack(target.nodePackage, nodeVersion, join(staging, 'node'));
    await mkdir(join(tmp, 'node', 'bin'), { recursive: true });
    await copyFile(join(node.dir, 'bin', 'node'), join(tmp, 'node', 'bin', 'node'));
    await copyFile(join(node.dir, 'LICENSE'), join(tmp, 'node', 'LICENSE'));

    say(`native: TFLite addon and XNNPACK shim for ${target.name}`);
    const tfliteNodeDir = findPackageDir('tfjs-tflite-node', root);
    const addonApiDir = tfliteNodeDir && findPackageDir('node-addon-api', tfliteNodeDir);
    if (!tfliteNodeDir || !addonApiDir) throw new AgekitError('tfjs-tflite-node or node-addon-api is not installed', { where: 'agekit bundle', hint: 'run npm ci in the agekit folder first' });
    await mkdir(join(tmp, BUNDLED_NATIVE_DIR), { recursive: true });
    const native = await compileNative({ projectRoot: root, target, nodeInclude: join(node.dir, 'include', 'node'), tfliteNodeDir, addonApiDir, out: join(tmp, BUNDLED_NATIVE_DIR) });

    say('node_modules: sharp and its parts for the target, TFLite WebAssembly');
    const packages: BundledPackage[] = await copyRuntimeModules({ projectRoot: root, out: tmp, target, cache, staging: join(staging, 'packages') });

    await mkdir(join(tmp, 'models'), { recursive: true });
    for (const m of modelFiles) await copyFile(m, join(tmp, 'models', basename(m)));
    const student = models.find((c) => /\.tflite$/i.test(c) && !/blazeface/i.test(c));
    const fields = {
      TARGET: target.name, AGEKIT_VERSION, NODE_VERSION: nodeVersion, STATE_DIR: SERVICE_STATE_DIR,
      UNAME_CASE: target.unameMachines.join('|'),
      MODEL_ARG: student ? `--model /opt/agekit/models/${student}` : '--no-ages',
    };
    for (const [name, mode] of [[BUNDLE_LAUNCHER, 0o755], ['install.sh', 0o755], ['agekit.service', 0o644], ['agekit.env.example', 0o644], ['README.txt', 0o644]] as const) {
      await writeFile(join(tmp, name), await template(root, name, fields), { mode });
    }
    await normalizeModes(tmp);
    const manifest = await writeBundleManifest(tmp, {
      target: target.name, agekit: AGEKIT_VERSION, node: nodeVersion,
      contents: {
        node: { package: `${target.nodePackage}@${nodeVersion}`, integrity: node.integrity },
        packages: Object.fromEntries(packages.map((p) => [p.name, p.integrity ? { version: p.version, integrity: p.integrity } : p.version])),
        native: { files: native.files, compilers: native.compilers, tfjs_tflite_node: JSON.parse(await readFile(join(tfliteNodeDir, 'package.json'), 'utf8')).version },
        models,
      },
    });
    await commitDir(tmp, out);
    let tarball: string | undefined;
    if (o.tar) {
      tarball = `${out}.tar.gz`;
      say(`archive: ${tarball}`);
      await run('tar', ['-czf', `${tarball}.tmp`, '-C', dirname(out), basename(out)], { maxBuffer: 16 * 2 ** 20 });
      await rename(`${tarball}.tmp`, tarball);
    }
    return { out, target: target.name, tarball, manifest, parts: bundleParts(manifest.files), models, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
}
