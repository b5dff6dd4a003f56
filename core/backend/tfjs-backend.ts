/**
 * Choosing the TensorFlow.js backend. `auto` tries the CUDA build of tfjs-node, then the CPU
 * build, then WASM (XNNPACK, SIMD), then the pure-JS CPU backend, and says which one it got.
 * tfjs-node and tfjs-node-gpu are optional dependencies: they download libtensorflow at install
 * time, so on machines without internet they are simply absent.
 *
 * @example
 * const tf = await initBackend('auto'); // { name: 'wasm', detail: 'tfjs-backend-wasm 4.22.0, simd' }
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.ts';

export type BackendChoice = 'auto' | 'gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'gpu', 'node', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The tfjs backend name in use: `tensorflow`, `wasm` or `cpu`. */
  name: string;
  /** Which choice produced it (`gpu`, `node`, `wasm`, `cpu`). */
  choice: Exclude<BackendChoice, 'auto'>;
  /** One line for the user. */
  detail: string;
}

let current: BackendInfo | undefined;

async function tryNode(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return tf.findBackend('tensorflow') !== undefined;
  } catch {
    return false;
  }
}

async function activate(choice: Exclude<BackendChoice, 'auto'>): Promise<BackendInfo | undefined> {
  if (choice === 'gpu' || choice === 'node') {
    const pkg = choice === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    if (!(await tryNode(pkg))) return undefined;
    await tf.setBackend('tensorflow');
    await tf.ready();
    return { name: 'tensorflow', choice, detail: `${pkg} (libtensorflow${choice === 'gpu' ? ', CUDA' : ''})` };
  }
  if (choice === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return undefined;
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    return { name: 'wasm', choice, detail: `tfjs-backend-wasm ${tf.version_core}, XNNPACK${simd ? ', SIMD' : ''}${threads ? ', threads' : ', single thread'}` };
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', choice, detail: `tfjs-backend-cpu ${tf.version_core} (pure JavaScript, slow)` };
}

/**
 * Select and initialise a backend once per process. Asking again for the same choice is free;
 * an explicit choice that cannot load is an error that says what to install.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new UsageError(`unknown backend "${choice}"`, { where: '--backend', hint: `use one of ${BACKEND_CHOICES.join(', ')}` });
  }
  if (current && (choice === 'auto' || choice === current.choice)) return current;
  const order: Exclude<BackendChoice, 'auto'>[] = choice === 'auto' ? ['gpu', 'node', 'wasm', 'cpu'] : [choice];
  for (const c of order) {
    const info = await activate(c);
    if (info) return (current = info);
  }
  const pkg = choice === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  throw new UsageError(`backend "${choice}" is not available`, {
    where: '--backend',
    hint: `install ${pkg} on a machine with internet access (it downloads libtensorflow), or use --backend auto`,
  });
}

/** The backend chosen by {@link initBackend}, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
