/**
 * registerWasmTrainingKernels: explicit, safe to repeat, leaves tfjs's own kernels alone unless
 * told to replace them, switches variants, and unregistering puts tfjs's kernels back.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';

const MISSING = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];
// agekit's own kernels, added with the fast variant (names tfjs does not use).
const OWN = ['AgekitRangeMaskGrad', 'AgekitBatchNormGrad', 'AgekitScaledProduct', 'AgekitZeros'];
const REPLACED = ['Conv2DBackpropInput', 'Tile', 'Sum', 'Mean', 'Identity', 'Cast', 'FusedBatchNorm', 'Add', 'Square', 'Sub'];
const GRADIENTS = ['Sum gradient', 'Mean gradient', 'Relu gradient', 'Relu6 gradient', 'ClipByValue gradient', 'Square gradient'];

test.serial('registration is explicit, repeatable, replaces tfjs kernels only when asked, and is undone by unregister', (t) => {
  const tfjsFuncs = Object.fromEntries(REPLACED.map((n) => [n, tf.getKernel(n, 'wasm')?.kernelFunc]));
  const tfjsSumGrad = tf.getGradient('Sum');
  const tfjsClipGrad = tf.getGradient('ClipByValue');
  for (const n of MISSING) t.falsy(tf.getKernel(n, 'wasm'), `${n} absent before registration`);

  t.deepEqual(registerWasmTrainingKernels(), [...MISSING, ...OWN]);
  t.deepEqual(registerWasmTrainingKernels(), [...MISSING, ...OWN], 'a second call changes nothing');
  for (const n of REPLACED) t.is(tf.getKernel(n, 'wasm')?.kernelFunc, tfjsFuncs[n], `${n} is still tfjs's`);
  t.is(tf.getGradient('Sum'), tfjsSumGrad);

  t.deepEqual(registerWasmTrainingKernels({ replaceExisting: true }), [...MISSING, ...OWN, ...REPLACED, ...GRADIENTS]);
  for (const n of REPLACED) t.not(tf.getKernel(n, 'wasm')?.kernelFunc, tfjsFuncs[n], `${n} replaced`);
  t.not(tf.getGradient('Sum'), tfjsSumGrad);
  t.not(tf.getGradient('ClipByValue'), tfjsClipGrad);

  const fastFilter = tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc;
  t.deepEqual(registerWasmTrainingKernels({ variant: 'naive' }), MISSING, 'naive has no replacements');
  t.not(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, fastFilter, 'switched to the naive variant');
  for (const n of REPLACED) t.is(tf.getKernel(n, 'wasm')?.kernelFunc, tfjsFuncs[n], `${n} back to tfjs's`);
  for (const n of OWN) t.falsy(tf.getKernel(n, 'wasm'), `${n} removed with the naive variant`);
  t.is(tf.getGradient('Sum'), tfjsSumGrad);
  t.is(tf.getGradient('ClipByValue'), tfjsClipGrad);

  registerWasmTrainingKernels({ replaceExisting: true });
  t.deepEqual(unregisterWasmTrainingKernels().sort(), [...GRADIENTS, ...MISSING, ...OWN, ...REPLACED].sort());
  for (const n of [...MISSING, ...OWN]) t.falsy(tf.getKernel(n, 'wasm'));
  for (const n of REPLACED) t.is(tf.getKernel(n, 'wasm')?.kernelFunc, tfjsFuncs[n]);
  t.is(tf.getGradient('Sum'), tfjsSumGrad);
  t.is(tf.getGradient('ClipByValue'), tfjsClipGrad);
});

test.serial('an unknown variant is an error that lists the variants', (t) => {
  t.throws(() => registerWasmTrainingKernels({ variant: 'quick' as 'fast' }), { message: /unknown variant "quick".*fast, naive/ });
});
