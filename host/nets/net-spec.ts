/**
 * The network contract: each network is a NetSpec in one table, built as a tfjs LayersModel
 * with an agekit head. Everything that builds, counts or trains a network goes through it.
 *
 * @example
 * const model = buildNet('mobilenet64', { head: 'dex' });
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadType } from '../../core/contract/model-metadata.ts';

export interface BuildNetOptions {
  /** Output head. Default `regression`. */
  head?: HeadType;
  /** Override the network's default input size [height, width]. */
  inputSize?: [number, number];
  /** Seed for weight initialisation, for reproducible runs and tests. */
  seed?: number;
}

export interface NetSpec {
  /** Name used on the command line (`mobilenet96`). */
  name: string;
  /** One line for `agekit nets`. */
  description: string;
  /** Default input [height, width]. */
  inputSize: [number, number];
  /** Build a fresh model with the given head. The model's name is the net name. */
  build(options: BuildNetOptions): tf.LayersModel;
}
