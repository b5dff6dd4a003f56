/**
 * The age estimator opened from a file (a .tflite with agekit metadata, or a checkpoint folder):
 * AgeModelEstimator (age-model-estimator.ts, no Node imports, shared with the browser kiosk)
 * plus loading the model and its metadata.
 *
 * @example
 * const estimator = await AgeEstimator.create({ modelPath: 'samples/models/student.tflite', threads: 2 });
 * const ages = await estimator.estimate(cropFaces(frame, boxes, estimator.meta));
 */
import type { ModelMetadata } from '../../core/contract/model-metadata.ts';
import type { ModelRunner } from '../../core/runtime/model-runner.ts';
import { openRunner, type OpenRunnerOptions } from '../../core/runtime/open-runner.ts';
import { AgeModelEstimator } from './age-model-estimator.ts';
import { loadModelMetadata } from './load-model-metadata.ts';

export { AgeModelEstimator } from './age-model-estimator.ts';

export class AgeEstimator extends AgeModelEstimator {
  /** Open the model and its metadata; checks that the model's input and read-out output match the metadata. */
  static async create(options: OpenRunnerOptions): Promise<AgeEstimator> {
    const meta = await loadModelMetadata(options.modelPath);
    const runner = await openRunner(options);
    return AgeEstimator.fromRunner(runner, meta, options.modelPath);
  }

  static override fromRunner(runner: ModelRunner, meta: ModelMetadata, where: string): AgeEstimator {
    // AgeModelEstimator.fromRunner constructs with `new this`, so this is an AgeEstimator.
    return super.fromRunner(runner, meta, where) as AgeEstimator;
  }
}
