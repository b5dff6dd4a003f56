/**
 * Find or build agekit's XNNPACK delegate shim (see xnnpack-delegate-source.ts) so the native
 * TFLite runtime runs on XNNPACK: a prebuilt library named by $AGEKIT_XNNPACK_DELEGATE, else the
 * one a device bundle carries (native/, compiled for the target when the bundle was built), else a
 * cached build in $AGEKIT_CACHE (default: a private folder in the temp folder, so a reboot costs
 * one rebuild), else compiled once with the system C compiler ($CC, cc or gcc; about 0.2 s)
 * into that cache. Never throws: when no library can be had, the result says why and the
 * runner falls back to TFLite's builtin kernels.
 *
 * The default cache sits in a shared temp folder, and a library there is code this process
 * will load: the folder must be ours (owner = this user, no group or other write), else the
 * cache is refused rather than trusted.
 *
 * @example
 * const lib = await xnnpackDelegateLibrary();
 * if (lib.path) interpreterOptions.delegate = { path: lib.path, options: [['num_threads', '2']] };
 * else console.error(lib.reason);
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XNNPACK_DELEGATE_C_SOURCE, XNNPACK_DELEGATE_SOURCE_VERSION } from './xnnpack-delegate-source.ts';
import { BUNDLED_XNNPACK_FILE, bundledNativeFile } from '../bundled-native.ts';

const run = promisify(execFile);

/** Where the shim came from, or why there is none. */
export interface XnnpackDelegateLibrary {
  /** The shared library to pass as an external delegate; undefined when unavailable. */
  path?: string;
  /** `env` ($AGEKIT_XNNPACK_DELEGATE), `bundled` (prebuilt in the device bundle), `cache` (built earlier), `built` (compiled now), or `none`. */
  origin: 'env' | 'bundled' | 'cache' | 'built' | 'none';
  /** Why there is no library (origin `none`), for the status line and the report. */
  reason?: string;
}

export interface XnnpackDelegateOptions {
  /** Cache folder for the built library. Default $AGEKIT_CACHE, else `<temp>/agekit-<uid>`. */
  cacheDir?: string;
  /** C compilers to try, in order; each a program and its arguments split at spaces (e.g. `ccache gcc`). Default $CC, then cc, then gcc. */
  compilers?: string[];
  /** After a failure, the same answer is given for this long (ms), then the next call tries again. Default 60,000. */
  retryAfterMs?: number;
  /** A prebuilt library tried before the cache and the compiler. Default: the device bundle's native/libagekit-xnnpack.so, when running from a bundle. */
  prebuilt?: string;
}

export const DEFAULT_XNNPACK_DELEGATE: Required<Pick<XnnpackDelegateOptions, 'retryAfterMs'>> = { retryAfterMs: 60_000 };

/** File name of the build for this source text, platform and architecture. */
export function xnnpackDelegateFileName(): string {
  const hash = createHash('sha256').update(`${XNNPACK_DELEGATE_SOURCE_VERSION}\n${process.platform}\n${process.arch}\n${XNNPACK_DELEGATE_C_SOURCE}`).digest('hex').slice(0, 12);
  return `libagekit-xnnpack-${process.platform}-${process.arch}-${hash}.${process.platform === 'darwin' ? 'dylib' : 'so'}`;
}

function defaultCacheDir(): string {
  if (process.env.AGEKIT_CACHE) return process.env.AGEKIT_CACHE;
  const uid = typeof process.getuid === 'function' ? process.getuid() : userInfo().username;
  return join(tmpdir(), `agekit-${uid}`);
}

/** Create the cache folder (mode 700) and refuse one that others could have written to. */
async function ensurePrivateDir(dir: string): Promise<string | undefined> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  // A link is refused (in a shared temp folder anyone could have planted it), but named as one.
  if (st.isSymbolicLink()) return `${dir} is a symlink (to ${await realpath(dir).catch(() => 'a missing target')}), not a folder`;
  if (!st.isDirectory()) return `${dir} is not a folder`;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${dir} belongs to another user (uid ${st.uid})`;
  if ((st.mode & 0o022) !== 0) return `${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

/** Compile the shim to `out` (via a temporary file renamed into place, so readers never see half a library). */
export async function buildXnnpackDelegate(out: string, compilers: string[]): Promise<{ ok: true } | { ok: false; reason: string }> {
  const stem = `${out}.${process.pid}.${Date.now()}`;
  const src = `${stem}.c`, tmp = `${stem}.tmp`;
  await writeFile(src, XNNPACK_DELEGATE_C_SOURCE);
  const failures: string[] = [];
  try {
    for (const cc of compilers) {
      // $CC is often a command line ("ccache gcc", "gcc -m64"): the program, then its own arguments.
      const [program, ...ccArgs] = cc.trim().split(/\s+/);
      const args = [...ccArgs, '-shared', '-fPIC', '-O2', '-o', tmp, src];
      if (process.platform === 'linux') args.push('-ldl');
      try {
        await run(program, args, { timeout: 60_000 });
        await rename(tmp, out);
        return { ok: true };
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        failures.push(`${cc}: ${e.code === 'ENOENT' ? 'not found' : (e.stderr || e.message).trim().split('\n')[0]}`);
      }
    }
    return { ok: false, reason: `no C compiler could build the XNNPACK shim (${failures.join('; ')})` };
  } finally {
    await rm(src, { force: true });
    await rm(tmp, { force: true });
  }
}

/**
 * Why the library at `path` cannot be loaded into this process, or undefined when it can.
 * Node's addon loader dlopen()s it: a plain C library then fails only with "did not
 * self-register" (it loaded, it just is no Node addon); any other error (noexec mount, corrupt
 * or foreign file) means TFLite's own dlopen would fail too, and the binding would then add an
 * uninitialised delegate (a crash), so such a library is never handed to it.
 */
export function xnnpackDelegateLoadError(path: string): string | undefined {
  try {
    process.dlopen({ exports: {} }, path);
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    return /did not self-register/i.test(message) ? undefined : message.trim().split('\n')[0];
  }
}

const pending = new Map<string, { answer: Promise<XnnpackDelegateLibrary>; failedAt?: number }>();

/**
 * The XNNPACK shim library for this machine, building it on first use. Memoized per cache path
 * within the process, so a detector and an estimator opened together compile it once; a failure
 * (e.g. a compile timeout on a loaded machine) is kept only `retryAfterMs`, then tried again.
 */
export function xnnpackDelegateLibrary(o: XnnpackDelegateOptions = {}): Promise<XnnpackDelegateLibrary> {
  const fromEnv = process.env.AGEKIT_XNNPACK_DELEGATE;
  if (fromEnv) {
    if (!existsSync(fromEnv)) return Promise.resolve({ origin: 'none', reason: `$AGEKIT_XNNPACK_DELEGATE names a missing file (${fromEnv})` });
    const broken = xnnpackDelegateLoadError(fromEnv);
    return Promise.resolve(broken
      ? { origin: 'none', reason: `$AGEKIT_XNNPACK_DELEGATE names a library that cannot be loaded (${broken})` }
      : { path: fromEnv, origin: 'env' });
  }
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    return Promise.resolve({ origin: 'none', reason: `the XNNPACK shim is built for Linux and macOS only (this is ${process.platform})` });
  }
  // A bundle's prebuilt shim needs no compiler; one that does not load (a bundle for another
  // machine, a noexec mount) leaves the on-device build as the fallback.
  const prebuilt = o.prebuilt ?? bundledNativeFile(BUNDLED_XNNPACK_FILE);
  if (prebuilt && existsSync(prebuilt) && !xnnpackDelegateLoadError(prebuilt)) return Promise.resolve({ path: prebuilt, origin: 'bundled' });
  const dir = o.cacheDir ?? defaultCacheDir();
  const out = join(dir, xnnpackDelegateFileName());
  const known = pending.get(out);
  const retryAfterMs = o.retryAfterMs ?? DEFAULT_XNNPACK_DELEGATE.retryAfterMs;
  if (known && (known.failedAt === undefined || Date.now() - known.failedAt < retryAfterMs)) return known.answer;
  const find = async (): Promise<XnnpackDelegateLibrary> => {
    const unsafe = await ensurePrivateDir(dir).catch((err: Error) => `cannot create ${dir} (${err.message})`);
    if (unsafe) return { origin: 'none', reason: `the XNNPACK shim cache is not usable: ${unsafe}; set AGEKIT_CACHE to a private folder` };
    // A cached library that does not load (corrupt, truncated, foreign) is rebuilt once, over it.
    if (existsSync(out) && !xnnpackDelegateLoadError(out)) return { path: out, origin: 'cache' };
    const compilers = o.compilers ?? [...new Set([process.env.CC, 'cc', 'gcc'].filter((c): c is string => !!c))];
    try {
      const built = await buildXnnpackDelegate(out, compilers);
      if (!built.ok) return { origin: 'none', reason: built.reason };
      const broken = xnnpackDelegateLoadError(out);
      return broken
        ? { origin: 'none', reason: `the XNNPACK shim built in ${out} cannot be loaded (${broken}); set AGEKIT_CACHE to a folder that allows running code` }
        : { path: out, origin: 'built' };
    } catch (err) {
      return { origin: 'none', reason: `cannot build the XNNPACK shim in ${out} (${(err as Error).message})` };
    }
  };
  const entry: { answer: Promise<XnnpackDelegateLibrary>; failedAt?: number } = {
    answer: find().then((lib) => {
      if (!lib.path) entry.failedAt = Date.now();
      return lib;
    }),
  };
  pending.set(out, entry);
  return entry.answer;
}
