/**
 * The shared zero buffers of `AgekitZeros` (known-zeros.ts): the cache stays within its byte
 * budget by evicting the least recently used buffer, an evicted buffer a live tensor still
 * shares stays intact until that tensor goes, and releasing the cache leaves tf.memory() and
 * the backend exactly as before (no stale engine entry).
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';
import { setZeroCacheBudget, zeroCacheBytes, ZEROS } from '../../../../host/kernels/wasm/known-zeros.ts';
import type { BackendWasm } from '../../../../host/kernels/wasm/wasm-backend-calls.ts';

const zeros = (shape: number[]) => tf.engine().runKernel(ZEROS, {}, { shape }) as tf.Tensor;
const allZero = (t: tf.Tensor) => (t.dataSync() as Float32Array).every((v) => v === 0);

test.serial('zero cache: byte budget with LRU eviction, shared buffers survive eviction, release leaves no trace', async (t) => {
  await tf.setBackend('wasm');
  const wasm = tf.backend() as unknown as BackendWasm;
  const budget = 3 * 1000 * 4;
  const previous = setZeroCacheBudget(budget);
  registerWasmTrainingKernels({ replaceExisting: true });
  const before = { memory: tf.memory(), ids: wasm.numDataIds() };
  try {
    const live = zeros([10, 100]);
    const again = zeros([1000]);
    t.is(again.dataId, live.dataId, 'same size: one shared buffer');
    again.dispose();
    // Made inside tidy: the cache's own reference survives the scope.
    let inTidy: object | undefined;
    tf.tidy(() => { inTidy = zeros([500]).dataId; });
    const after = zeros([500]);
    t.is(after.dataId as object | undefined, inTidy);
    after.dispose();
    for (const n of [900, 800, 700, 600]) {
      zeros([n]).dispose();
      t.true(zeroCacheBytes(wasm) <= budget, `cache ${zeroCacheBytes(wasm)} bytes after ${n} floats, budget ${budget}`);
    }
    // 1000 was the least recently used: evicted, so a new request gets a new buffer...
    const fresh = zeros([1000]);
    t.not(fresh.dataId, live.dataId, 'the 1000-float buffer was evicted');
    // ...while the live tensor still owns the old one, intact even as the heap is reused.
    const noise = Array.from({ length: 8 }, (_, i) => tf.fill([1000], i + 1));
    t.true(allZero(live), 'the evicted buffer is still zeros for the tensor sharing it');
    t.true(allZero(fresh));
    tf.dispose([...noise, fresh, live]);
    // A buffer bigger than the whole budget is made each time, not cached.
    const big = zeros([4000]);
    t.true(allZero(big));
    t.true(zeroCacheBytes(wasm) <= budget);
    big.dispose();
  } finally {
    unregisterWasmTrainingKernels(); // releases the zero cache
    setZeroCacheBudget(previous);
  }
  t.is(zeroCacheBytes(wasm), 0);
  const end = tf.memory();
  t.deepEqual(
    { tensors: end.numTensors, buffers: end.numDataBuffers, bytes: end.numBytes, ids: wasm.numDataIds() },
    { tensors: before.memory.numTensors, buffers: before.memory.numDataBuffers, bytes: before.memory.numBytes, ids: before.ids },
  );
});
