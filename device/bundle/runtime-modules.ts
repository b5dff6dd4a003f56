/**
 * The bundle's node_modules: only what the bundled JavaScript loads at run time and esbuild
 * cannot inline. That is sharp (a native addon) with its small JavaScript dependencies and the
 * target's prebuilt sharp and libvips packages, and TFLite's WebAssembly build for
 * `--runtime tflite-wasm`. Everything else (commander, mqtt, tfjs) is inside the .mjs, and the
 * TFLite addon is in native/ (compile-native.ts).
 *
 * @example
 * const pkgs = await copyRuntimeModules({ projectRoot, out: 'bundle', target, cache, staging });
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, copyFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { AgekitError } from '../../core/errors.ts';
import type { BundleTarget } from './bundle-target.ts';
import type { NpmPackageCache } from './npm-package-cache.ts';

export interface RuntimeModulesOptions {
  /** The agekit checkout whose node_modules the JavaScript packages come from. */
  projectRoot: string;
  /** The bundle folder (node_modules/ is created in it). */
  out: string;
  target: BundleTarget;
  cache: NpmPackageCache;
  /** A scratch folder for unpacked tarballs. */
  staging: string;
}

/** A package in the bundle's node_modules, and where it came from. */
export interface BundledPackage {
  name: string;
  version: string;
  /** `project` (the checkout's node_modules) or `registry` (fetched for the target, with its integrity). */
  from: 'project' | 'registry';
  integrity?: string;
}

interface PackageJson { name: string; version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }

/** The folder of package `name` as Node would resolve it from `fromDir` (walking up through node_modules). */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Files a running program never reads: docs, type declarations, source maps, C++ sources, nested node_modules. */
function runtimeFile(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (rel === '') return true;
  const parts = rel.split('/');
  const name = parts[parts.length - 1];
  if (parts.includes('node_modules')) return false;
  if (/\.(d\.ts|d\.cts|d\.mts|map|md|markdown|cc|h|gyp)$/i.test(name) && !/^licen[cs]e/i.test(name)) return false;
  return !(parts[0] === 'src' || parts[0] === 'install' || parts[0] === 'test' || parts[0] === 'docs');
}

async function copyPackage(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  await cp(src, dest, { recursive: true, filter: (p) => runtimeFile(src, p), dereference: true });
}

/**
 * Copy `name` and its `dependencies` (recursively, not the optional ones) from the checkout into
 * out/node_modules, flat. Two versions of one package would need nesting: that is refused.
 */
async function copyWithDependencies(name: string, fromDir: string, out: string, done: Map<string, BundledPackage>): Promise<void> {
  const dir = findPackageDir(name, fromDir);
  if (!dir) throw new AgekitError(`${name} is not installed`, { where: 'agekit bundle', hint: 'run npm ci in the agekit folder first' });
  const pkg = await readPackageJson(dir);
  const seen = done.get(name);
  if (seen) {
    if (seen.version !== pkg.version) throw new AgekitError(`two versions of ${name} are needed (${seen.version} and ${pkg.version})`, { where: 'agekit bundle', hint: 'run npm dedupe in the agekit folder' });
    return;
  }
  done.set(name, { name, version: pkg.version, from: 'project' });
  await copyPackage(dir, join(out, 'node_modules', name));
  for (const dep of Object.keys(pkg.dependencies ?? {})) await copyWithDependencies(dep, dir, out, done);
}

/** Fill out/node_modules; returns every package put there. */
export async function copyRuntimeModules(o: RuntimeModulesOptions): Promise<BundledPackage[]> {
  const done = new Map<string, BundledPackage>();
  await copyWithDependencies('sharp', o.projectRoot, o.out, done);
  // sharp's native parts for the target come from the registry, at the versions sharp names.
  const sharp = await readPackageJson(findPackageDir('sharp', o.projectRoot)!);
  for (const name of [o.target.sharpPackage, o.target.libvipsPackage]) {
    const version = sharp.optionalDependencies?.[name];
    if (!version) throw new AgekitError(`sharp ${sharp.version} names no ${name}`, { where: 'agekit bundle', hint: `this sharp has no prebuilt binary for ${o.target.name}` });
    const got = await o.cache.unpack(name, version, join(o.staging, name));
    await copyPackage(got.dir, join(o.out, 'node_modules', name));
    done.set(name, { name, version, from: 'registry', integrity: got.integrity });
  }
  // TFLite's WebAssembly build: only the single-threaded SIMD module core/runtime/tflite-wasm-runner.ts loads.
  const tfliteWeb = findPackageDir('@tensorflow/tfjs-tflite', o.projectRoot);
  if (!tfliteWeb) throw new AgekitError('@tensorflow/tfjs-tflite is not installed', { where: 'agekit bundle', hint: 'run npm ci in the agekit folder first' });
  const dest = join(o.out, 'node_modules', '@tensorflow', 'tfjs-tflite');
  await mkdir(join(dest, 'wasm'), { recursive: true });
  await copyFile(join(tfliteWeb, 'package.json'), join(dest, 'package.json'));
  for (const f of ['tflite_web_api_cc_simd.js', 'tflite_web_api_cc_simd.wasm']) await copyFile(join(tfliteWeb, 'wasm', f), join(dest, 'wasm', f));
  done.set('@tensorflow/tfjs-tflite', { name: '@tensorflow/tfjs-tflite', version: (await readPackageJson(tfliteWeb)).version, from: 'project' });
  return [...done.values()].sort((a, b) => a.name.localeCompare(b.name));
}
