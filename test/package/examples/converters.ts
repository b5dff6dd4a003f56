// agekit/converters: a checkpoint to an int8 .tflite, calibrated on real faces, then read back.
import { readFile } from 'node:fs/promises';
import { convertModel, readTflite } from 'agekit/converters';

const result = await convertModel({
  model: 'runs/example/best', out: 'student-int8.tflite', quantize: 'int8',
  calibration: 'utkface:../shared/data/utkface:split=train', calibrationSamples: 200, onStatus: console.error,
});
const info = readTflite(await readFile('student-int8.tflite'), 'student-int8.tflite');
console.log(`${result.out}: ${info.operators.length} operators, agekit metadata for ${info.agekit?.net ?? "none"}`);
