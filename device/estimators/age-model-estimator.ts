/**
 * Age from face crops with any ModelRunner: normalize each crop as the metadata says (the same
 * normalizePixels training uses), run the model, read the age out (scalar or expected value),
 * and apply the metadata's age calibration.
 *
 * This file imports nothing of Node: the browser kiosk's page bundles it with its own runner and
 * the metadata it read from the .tflite bytes. Opening files is AgeEstimator.create (age-estimator.ts).
 *
 * @example
 * const estimator = AgeModelEstimator.fromRunner(runner, meta, 'student.tflite');
 * const ages = await estimator.estimate(cropFaces(frame, boxes, estimator.meta));
 */
import { ModelFormatError } from '../../core/errors.ts';
import { normalizePixels } from '../../core/contract/preprocessing.ts';
import { checkMetadataAgainstModel, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { runAgeModel } from '../../core/runtime/age-model.ts';
import type { ModelRunner } from '../../core/runtime/model-runner.ts';
import type { AgeEstimate, Estimator, FaceCrop } from '../stages.ts';

export class AgeModelEstimator implements Estimator {
  readonly id: string;
  private readonly pixels: number;

  protected constructor(private readonly runner: ModelRunner, readonly meta: ModelMetadata, private readonly where: string) {
    this.id = `${meta.net}:${runner.runtime}`;
    this.pixels = meta.inputSize[0] * meta.inputSize[1] * 3;
  }

  /** Wrap an opened runner and its metadata; checks that the model's input and read-out output match the metadata. */
  static fromRunner(runner: ModelRunner, meta: ModelMetadata, where: string): AgeModelEstimator {
    // tfjs reports unknown dims as 1: only TFLite files declare output shapes that can be trusted here.
    const outputs = runner.runtime === 'tfjs' ? undefined : runner.outputs.map((s) => s.shape);
    checkMetadataAgainstModel(meta, { inputs: runner.inputs.map((s) => s.shape), outputs }, where);
    // `new this`: AgeEstimator.fromRunner makes an AgeEstimator.
    return new this(runner, meta, where);
  }

  get modelRunner(): ModelRunner {
    return this.runner;
  }

  async estimate(crops: FaceCrop[]): Promise<AgeEstimate[]> {
    if (crops.length === 0) return [];
    // TFLite models have a fixed batch of 1; tfjs takes the whole batch at once.
    const batch = this.runner.runtime === 'tfjs' ? crops.length : 1;
    const out: AgeEstimate[] = [];
    const x = new Float32Array(this.pixels * batch);
    for (let start = 0; start < crops.length; start += batch) {
      const n = Math.min(batch, crops.length - start);
      for (let i = 0; i < n; i++) normalizePixels(crops[start + i].rgb, this.meta.preprocessing, x.subarray(i * this.pixels, (i + 1) * this.pixels));
      const { rawAges, ages } = await runAgeModel(this.runner, this.meta, n === batch ? x : x.subarray(0, n * this.pixels), n, this.where);
      for (let i = 0; i < n; i++) out.push({ rawAge: rawAges[i], age: ages[i] });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}
