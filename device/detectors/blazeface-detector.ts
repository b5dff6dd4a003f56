/**
 * The BlazeFace detector opened from a file (.tflite on native TFLite or its WASM build, or a
 * tfjs graph model.json): BlazeFaceModel (blazeface-model.ts, no Node imports, shared with the
 * browser kiosk) plus loading.
 *
 * @example
 * const detector = await BlazeFaceDetector.create({ modelPath: 'samples/models/blazeface.tflite', minFacePx: 40 });
 * const faces = await detector.detect(frame);
 */
import type { ModelRunner } from '../../core/runtime/model-runner.ts';
import { openRunner, type OpenRunnerOptions } from '../../core/runtime/open-runner.ts';
import { BlazeFaceModel, type BlazeFaceOptions } from './blazeface-model.ts';

export { BlazeFaceModel, DEFAULT_BLAZEFACE, blazeFaceLayout, decodeBlazeFace, type BlazeFaceOptions } from './blazeface-model.ts';

export class BlazeFaceDetector extends BlazeFaceModel {
  /** Load the model and check that it is BlazeFace-shaped. */
  static async create(options: BlazeFaceOptions & OpenRunnerOptions): Promise<BlazeFaceDetector> {
    const runner = await openRunner(options);
    return BlazeFaceDetector.fromRunner(runner, options.modelPath, options);
  }

  /** Wrap an already opened runner (tests, custom runtimes). */
  static override fromRunner(runner: ModelRunner, where: string, options: BlazeFaceOptions = {}): BlazeFaceDetector {
    // BlazeFaceModel.fromRunner constructs with `new this`, so this is a BlazeFaceDetector.
    return super.fromRunner(runner, where, options) as BlazeFaceDetector;
  }
}
