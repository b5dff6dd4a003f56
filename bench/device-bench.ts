/**
 * `npm run bench:device [-- --model student.tflite --json bench-device.json]`: the device
 * benchmark across every runtime in one run (native TFLite on XNNPACK at the default threads, 1 and all cores, native
 * TFLite on its builtin kernels, TFLite WASM, tfjs WASM), so the ratios between runtimes are
 * measured on the same machine and frames.
 * Extra arguments are passed to `agekit bench`.
 */
import { main } from '../device/main.ts';

const args = process.argv.slice(2);
const defaults = [...(args.includes('--runtimes') ? [] : ['--runtimes', 'tflite,tflite-wasm,tfjs']), ...(args.includes('--builtin') ? [] : ['--builtin'])];
main(['node', 'agekit', 'bench', ...defaults, '--frames', '30', '--passes', '2', ...args]).then((code) => process.exit(code));
