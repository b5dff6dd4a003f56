/**
 * The bundle's JavaScript: esbuild puts device/main.ts and every pure-JavaScript dependency
 * (commander, mqtt, tfjs) into one ESM file. Left out: sharp (a native addon, in node_modules),
 * tfjs-tflite-node (its addon is in native/), TFLite's WebAssembly build (loaded from
 * node_modules at run time) and the optional tfjs-node backends. tfjs's WebAssembly backend
 * looks for its .wasm files beside the script, so they are copied there.
 *
 * @example
 * const { bytes } = await bundleJavaScript({ projectRoot, outFile: 'bundle/agekit-device.mjs' });
 */
import { copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AgekitError } from '../../core/errors.ts';
import { findPackageDir } from './runtime-modules.ts';

/** Imports esbuild leaves as imports (resolved on the device, or failing there on purpose). */
export const BUNDLE_EXTERNALS = ['sharp', 'tfjs-tflite-node', '@tensorflow/tfjs-tflite', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'esbuild'] as const;

/** tfjs-backend-wasm's modules (plain, SIMD, threaded SIMD): it picks one at run time. */
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

export interface BundleJavaScriptOptions {
  projectRoot: string;
  /** The .mjs to write; the .wasm files go beside it. */
  outFile: string;
  /** Default false: readable stack traces on the device. */
  minify?: boolean;
}

export async function bundleJavaScript(o: BundleJavaScriptOptions): Promise<{ files: string[] }> {
  const entry = join(o.projectRoot, 'device', 'main.ts');
  if (!existsSync(entry)) throw new AgekitError(`device/main.ts not found in ${o.projectRoot}`, { where: 'agekit bundle', hint: 'agekit bundle runs from an agekit source checkout (git clone, npm ci)' });
  const { build } = await import('esbuild');
  try {
    await build({
      entryPoints: [entry], outfile: o.outFile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
      external: [...BUNDLE_EXTERNALS], minify: o.minify ?? false, sourcemap: false, logLevel: 'silent', legalComments: 'none',
      // Bundled CommonJS code (commander, tfjs) uses require() and __dirname: give the ESM file both.
      banner: {
        js: "import { createRequire as __agekitCreateRequire } from 'node:module'; import { fileURLToPath as __agekitFileUrl } from 'node:url'; " +
          "import { dirname as __agekitDirname } from 'node:path'; const require = __agekitCreateRequire(import.meta.url); " +
          'const __filename = __agekitFileUrl(import.meta.url); const __dirname = __agekitDirname(__filename);',
      },
    });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? [];
    throw new AgekitError(`esbuild could not bundle device/main.ts (${errors.slice(0, 3).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('; ') || (err as Error).message})`, {
      where: 'agekit bundle', hint: 'npm run typecheck shows the same problems with more context',
    });
  }
  const wasmDir = findPackageDir('@tensorflow/tfjs-backend-wasm', o.projectRoot);
  if (!wasmDir) throw new AgekitError('@tensorflow/tfjs-backend-wasm is not installed', { where: 'agekit bundle', hint: 'run npm ci in the agekit folder first' });
  for (const f of TFJS_WASM_FILES) await copyFile(join(wasmDir, 'dist', f), join(dirname(o.outFile), f));
  return { files: TFJS_WASM_FILES };
}
