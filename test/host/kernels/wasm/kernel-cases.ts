/**
 * Shared by the kernel tests: seeded random data, and running one kernel function directly on a
 * given backend (no engine, no global backend switch) so the WASM result and the CPU reference
 * come from the very same inputs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Deterministic uniform values in [-1, 1). */
export function seededValues(n: number, seed: number): Float32Array {
  let s = (seed * 2654435761) >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The initialised wasm and cpu backend instances. */
export async function backends(): Promise<{ wasm: tf.KernelBackend; cpu: tf.KernelBackend }> {
  await tf.setBackend('wasm');
  await tf.ready();
  const wasm = tf.findBackend('wasm');
  const cpu = tf.findBackend('cpu');
  if (!wasm || !cpu) throw new Error('wasm or cpu backend missing');
  return { wasm, cpu };
}

/**
 * Run `kernelFunc` on `backend` with float32 inputs given as [values, shape]; returns the output
 * values and frees every piece of data it created.
 */
export function runOn(backend: tf.KernelBackend, kernelFunc: KernelFunc, inputs: Record<string, [Float32Array, number[]]>, attrs: NamedAttrMap): { values: Float32Array; shape: number[] } {
  const infos: Record<string, TensorInfo> = {};
  for (const [name, [values, shape]] of Object.entries(inputs)) {
    infos[name] = { dataId: backend.write(values.slice(), shape, 'float32'), shape, dtype: 'float32' };
  }
  const out = kernelFunc({ inputs: infos, backend, attrs }) as TensorInfo;
  const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
  backend.disposeData(out.dataId);
  for (const info of Object.values(infos)) backend.disposeData(info.dataId);
  return { values, shape: [...out.shape] };
}

/** The cpu backend's own kernel function for a kernel name. */
export function cpuKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`no cpu kernel ${name}`);
  return k.kernelFunc;
}

/** max |a - b| / max |b| (0 when both are all zero). */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

export type { KernelConfig };
