/**
 * Quantize a trained checkpoint to a full-integer .tflite, calibrated on real faces, and check
 * it in the TFLite runtime against the checkpoint on tfjs.
 * Run: npx tsx samples/quantize-student.ts <checkpoint dir> <utkface dir> <out.tflite>
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { convertModel } from '../converters/convert-model.ts';
import { checkConversion } from '../converters/check-conversion.ts';

const [checkpoint, utkface, out] = process.argv.slice(2);
if (!checkpoint || !utkface || !out) throw new Error('usage: npx tsx samples/quantize-student.ts <checkpoint dir> <utkface dir> <out.tflite>');
await tf.setBackend('wasm');

const faces = (split: string) => `utkface:${utkface}:split=${split}`;
const int8 = await convertModel({ model: checkpoint, out, quantize: 'int8', calibration: faces('train'), calibrationSamples: 200 });
const check = await checkConversion(int8, faces('val'), { limit: 100 });
console.log(`${out}: ${(int8.bytes.length / 1024).toFixed(0)} KB, val MAE on ${check.n} faces: tfjs ${check.maeTfjs?.toFixed(2)}, int8 tflite ${check.maeTflite?.toFixed(2)}`);
int8.source.dispose();
