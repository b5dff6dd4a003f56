/**
 * The kiosk page's JavaScript: esbuild bundles device/kiosk/page/kiosk-page.ts with the device
 * modules it shares (detector, crop, read-out, tracker, .tflite reader) and LiteRT.js into one
 * browser ESM file, kept in memory by the kiosk server. The runtimes' WebAssembly files are not
 * bundled: the server serves them from node_modules.
 *
 * @example
 * const js = await bundleKioskPage(); // string, about 200 KB
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgekitError } from '../../core/errors.ts';

/** The page's entry: the .ts source in a checkout, the compiled .js in an installed package. */
export function kioskPageEntry(): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'page');
  const entry = ['kiosk-page.ts', 'kiosk-page.js'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!entry) throw new AgekitError(`the kiosk page's source is missing from ${dir}`, { where: 'agekit kiosk', hint: 'reinstall agekit (npm ci in a checkout)' });
  return entry;
}

export interface BundleKioskPageOptions {
  /** Default false: readable stack traces in the browser's console. */
  minify?: boolean;
}

export async function bundleKioskPage(o: BundleKioskPageOptions = {}): Promise<string> {
  const entry = kioskPageEntry();
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new AgekitError('esbuild is not installed', { where: 'agekit kiosk', hint: 'run npm ci in the agekit folder (esbuild is a dependency)', cause: err });
  }
  try {
    const out = await esbuild.build({
      entryPoints: [entry], bundle: true, write: false, platform: 'browser', format: 'esm', target: 'es2022',
      minify: o.minify ?? false, sourcemap: false, logLevel: 'silent', legalComments: 'none',
    });
    return out.outputFiles[0].text;
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? [];
    throw new AgekitError(`esbuild could not bundle the kiosk page (${errors.slice(0, 3).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('; ') || (err as Error).message})`, {
      where: entry, hint: 'the page must import nothing of Node (node:fs, ...): npm run typecheck shows type problems',
    });
  }
}
