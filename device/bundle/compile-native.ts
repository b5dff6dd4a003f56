/**
 * The native parts of a bundle, compiled on the build machine for the target: tfjs-tflite-node's
 * N-API addon (one C++ file, against node-addon-api's headers, the target Node's headers and
 * the target's libtensorflowlite_c), and agekit's XNNPACK delegate shim. N-API addons do not
 * depend on the Node version, and the compilers are Debian's cross compilers
 * (aarch64-linux-gnu-g++ and -gcc), or the native ones when the target is this machine.
 * The addon finds its TFLite libraries beside itself (rpath $ORIGIN).
 *
 * @example
 * await compileNative({ target: bundleTarget('linux-arm64'), nodeInclude, tfliteNodeDir, addonApiDir, out: 'bundle/native' });
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgekitError } from '../../core/errors.ts';
import { XNNPACK_DELEGATE_C_SOURCE } from '../../core/runtime/xnnpack-delegate/xnnpack-delegate-source.ts';
import { BUNDLED_ADDON_FILE, BUNDLED_XNNPACK_FILE } from '../../core/runtime/bundled-native.ts';
import { hostBundleTarget, type BundleTarget } from './bundle-target.ts';

const run = promisify(execFile);

export interface CompileNativeOptions {
  /** The agekit checkout (device/bundle/native/ holds the addon's extra C++ file). */
  projectRoot: string;
  target: BundleTarget;
  /** include/node of the target's Node.js package (node_api.h). */
  nodeInclude: string;
  /** The installed tfjs-tflite-node package: binding/node_tflite_binding.cc, cc_deps/. */
  tfliteNodeDir: string;
  /** The installed node-addon-api package (napi.h). */
  addonApiDir: string;
  /** Folder to write the libraries into (it exists). */
  out: string;
}

export interface CompiledNative {
  /** File names written into `out`. */
  files: string[];
  /** The compilers used, e.g. `aarch64-linux-gnu-g++ (Debian 12.2.0-14) 12.2.0`. */
  compilers: { cxx: string; cc: string };
}

/** The first of `names` that runs (`<name> --version`), with its version line. */
async function findCompiler(names: string[]): Promise<{ name: string; version: string } | undefined> {
  for (const name of names) {
    try {
      const { stdout } = await run(name, ['--version'], { timeout: 20_000 });
      return { name, version: stdout.split('\n')[0].trim() };
    } catch {
      // Not installed: try the next.
    }
  }
  return undefined;
}

async function compile(program: string, args: string[], what: string): Promise<void> {
  try {
    await run(program, args, { timeout: 5 * 60_000, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new AgekitError(`${program} failed to build ${what} (${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')})`, {
      where: 'agekit bundle', hint: `run the command by hand to see the whole output: ${program} ${args.join(' ')}`,
    });
  }
}

/** Compile the TFLite addon and the XNNPACK shim for `o.target` into `o.out`, and copy the TFLite libraries beside them. */
export async function compileNative(o: CompileNativeOptions): Promise<CompiledNative> {
  const t = o.target;
  const native = t.name === hostBundleTarget();
  const cxx = await findCompiler([`${t.gnuTriple}-g++`, ...(native ? ['g++', 'c++'] : [])]);
  const cc = await findCompiler([`${t.gnuTriple}-gcc`, ...(native ? ['gcc', 'cc'] : [])]);
  if (!cxx || !cc) {
    throw new AgekitError(`no ${!cxx ? 'C++' : 'C'} compiler for ${t.name} (tried ${t.gnuTriple}-${!cxx ? 'g++' : 'gcc'}${native ? ' and the native one' : ''})`, {
      where: 'agekit bundle', hint: `install the cross compilers: apt-get install ${t.compilerPackages}`,
    });
  }
  const libDir = join(o.tfliteNodeDir, 'cc_deps', t.tfliteLibDir);
  const binding = join(o.tfliteNodeDir, 'binding', 'node_tflite_binding.cc');
  for (const need of [join(libDir, 'libtensorflowlite_c.so'), join(libDir, 'libexternal_delegate_obj.so'), binding, join(o.addonApiDir, 'napi.h'), join(o.nodeInclude, 'node_api.h')]) {
    if (!existsSync(need)) throw new AgekitError(`a file needed to compile the TFLite addon is missing (${need})`, { where: 'agekit bundle', hint: 'run npm ci in the agekit folder, then build the bundle again' });
  }
  for (const lib of ['libtensorflowlite_c.so', 'libexternal_delegate_obj.so']) await copyFile(join(libDir, lib), join(o.out, lib));
  // The flags of tfjs-tflite-node's binding.gyp (C++ exceptions through node-addon-api), N-API 8
  // (Node >= 16.14), stripped, finding the TFLite libraries beside itself.
  await compile(cxx.name, [
    '-shared', '-fPIC', '-O2', '-s', '-std=c++17', '-fexceptions', '-DNAPI_CPP_EXCEPTIONS', '-DNAPI_VERSION=8',
    '-I', o.addonApiDir, '-I', o.nodeInclude, '-I', join(o.tfliteNodeDir, 'cc_deps', 'include'),
    '-o', join(o.out, BUNDLED_ADDON_FILE), binding, join(o.projectRoot, 'device', 'bundle', 'native', 'glibcxx-compat.cc'),
    '-L', o.out, '-ltensorflowlite_c', '-lexternal_delegate_obj', '-Wl,-rpath,$ORIGIN',
  ], `the TFLite addon for ${t.name}`);
  const work = await mkdtemp(join(tmpdir(), 'agekit-xnnpack-'));
  try {
    const src = join(work, 'agekit-xnnpack.c');
    await writeFile(src, XNNPACK_DELEGATE_C_SOURCE);
    await compile(cc.name, ['-shared', '-fPIC', '-O2', '-s', '-o', join(o.out, BUNDLED_XNNPACK_FILE), src, '-ldl'], `the XNNPACK delegate shim for ${t.name}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { files: [BUNDLED_ADDON_FILE, BUNDLED_XNNPACK_FILE, 'libtensorflowlite_c.so', 'libexternal_delegate_obj.so'], compilers: { cxx: cxx.version, cc: cc.version } };
}
