/**
 * Ages from an age model, whatever runs it: run a batch of model-ready input through a
 * ModelRunner, read the age out as the metadata says (scalar or expected value over bins), and
 * apply its age calibration. The device's AgeEstimator, evaluation's AgePredictor (a .tflite
 * file, a checkpoint, or the model being trained) and calibration's raw predictions all go
 * through here, so a model is read out the same way wherever it is measured or deployed.
 *
 * @example
 * const { ages, rawAges } = await runAgeModel(runner, meta, x, 4, 'student.tflite');
 */
import { ModelFormatError } from '../errors.ts';
import { calibrateAge, readAges, type ModelMetadata } from '../contract/model-metadata.ts';
import type { ModelRunner } from './model-runner.ts';

export interface AgeModelOutput {
  /** Ages straight from the read-out, years, one per item. */
  rawAges: Float32Array;
  /** The same after the metadata's age calibration, in double precision (the calibration's own). */
  ages: Float64Array;
}

/**
 * @param x `n` items of [h, w, 3] float32 in model units (already normalized), row-major
 * @param where the model's file, named in errors
 */
export async function runAgeModel(runner: ModelRunner, meta: ModelMetadata, x: Float32Array, n: number, where: string): Promise<AgeModelOutput> {
  const outputs = await runner.run([x], n);
  const y = outputs[meta.readout.outputIndex];
  if (!y) throw new ModelFormatError(`read-out output ${meta.readout.outputIndex} does not exist (model has ${outputs.length})`, { where, hint: 'the metadata belongs to another model' });
  const rawAges = readAges(y, n, meta.readout);
  const ages = Float64Array.from(rawAges, (a) => calibrateAge(a, meta.ageCalibration));
  return { rawAges, ages };
}
