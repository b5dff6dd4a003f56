/**
 * The native libraries a device bundle carries (see device/bundle/): the TFLite addon and the
 * XNNPACK delegate shim, compiled for the target when the bundle was built, in `native/` beside
 * the bundled JavaScript. Outside a bundle there is no such folder and the runtime uses the
 * installed tfjs-tflite-node and builds the shim with the C compiler.
 *
 * @example
 * const addon = bundledNativeFile(BUNDLED_ADDON_FILE); // '/opt/agekit/native/node_tflite_binding.node' in a bundle, else undefined
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** File name of tfjs-tflite-node's addon in a bundle's native/ folder. */
export const BUNDLED_ADDON_FILE = 'node_tflite_binding.node';
/** File name of the prebuilt XNNPACK delegate shim in a bundle's native/ folder. */
export const BUNDLED_XNNPACK_FILE = 'libagekit-xnnpack.so';
/** The folder beside the bundled JavaScript holding both. */
export const BUNDLED_NATIVE_DIR = 'native';

/**
 * Path of `file` in the bundle's native/ folder, or undefined when this code does not run from a
 * bundle (or the bundle lacks the file). In the bundle every module is the one .mjs file, so
 * "beside this module" is "beside the bundle".
 */
export function bundledNativeFile(file: string, moduleUrl: string = import.meta.url): string | undefined {
  const p = join(dirname(fileURLToPath(moduleUrl)), BUNDLED_NATIVE_DIR, file);
  return existsSync(p) ? p : undefined;
}
