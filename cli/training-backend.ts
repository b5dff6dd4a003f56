/**
 * Backend set-up for commands that compute gradients or run models on the host: initBackend,
 * and on WASM the agekit training kernels (without them convolutional nets cannot train there).
 * Prints one status line to stderr, e.g. `backend wasm + 5 agekit kernels (tfjs-backend-wasm ...)`.
 *
 * @example
 * const backend = await useTrainingBackend('auto'); // 'wasm + 5 agekit kernels'
 */
import { initBackend, type BackendChoice } from '../core/backend/tfjs-backend.ts';
import { registerWasmTrainingKernels } from '../host/kernels/wasm/register.ts';

/** Initialise the backend (plus agekit's WASM kernels) and say which one on stderr. @returns a one-line description */
export async function useTrainingBackend(choice: BackendChoice, options: { training?: boolean } = {}): Promise<string> {
  const info = await initBackend(choice);
  let line = info.name;
  if (info.name === 'wasm' && options.training !== false) {
    // replaceExisting also swaps in agekit's faster Conv2DBackpropInput, Tile, Sum, Mean and Identity:
    // measured about 3x faster mobilenet96 training than adding only the three missing kernels.
    const kernels = registerWasmTrainingKernels({ replaceExisting: true });
    line = `wasm + ${kernels.length} agekit kernels`;
  }
  process.stderr.write(`backend ${line} (${info.detail})\n`);
  return line;
}
