/**
 * agekit/converters: a tfjs checkpoint or graph model to a `.tflite` file carrying agekit's
 * metadata (float32, float16, dynamic-range or int8), and a reader for any `.tflite` file.
 *
 * @example
 * import { convertModel, readTflite } from 'agekit/converters';
 * const result = await convertModel({ model: 'samples/models/student', out: 'student-f16.tflite', quantize: 'float16' });
 * console.log(readTflite(await readFile(result.out), result.out).operators.length);
 */
export { convertModel, optimizeGraph, QUANTIZE_MODES, IO_TYPES, type ConvertOptions, type ConvertResult, type QuantizeMode } from './convert-model.ts';
export { checkConversion, type CheckOptions, type CheckReport } from './check-conversion.ts';
export { writeTflite, saveTflite, type WriteTfliteOptions } from './write-tflite.ts';
export { loadSource, type LoadedSource } from './load-source.ts';
export type { Graph } from './ir/graph.ts';
export { readTflite, type TfliteInfo, type TfliteTensorInfo, type TfliteOperatorInfo } from '../core/tflite/read-tflite.ts';
export { readTfliteMetadata } from '../core/tflite/tflite-metadata.ts';
