/**
 * One optimization step: forward in training mode, the provider's loss plus the L2 penalty,
 * gradients of the trainable variables and the update, all inside tfjs scopes so no tensor
 * outlives the step (a test asserts `tf.memory().numTensors` stays flat).
 *
 * @example
 * const step = createTrainStep({ model, optimizer, targets: groundTruthTargets('dex'), weightDecay: 5e-5 });
 * const loss = step(batch); // the batch's mean loss, a plain number
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batch-stream.ts';
import type { TargetProvider } from './targets.ts';
import { decayedVariables, l2Penalty } from './weight-decay.ts';

export interface TrainStepOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  targets: TargetProvider;
  /** L2 penalty coefficient (see weight-decay.ts). Default 0. */
  weightDecay?: number;
}

/** Result of one step: the data loss (without the L2 term) and the total minimized. */
export interface StepLoss { loss: number; total: number }

/** Build the step function for a model, optimizer and target provider. */
export function createTrainStep(o: TrainStepOptions): (batch: Batch) => StepLoss {
  const { model, optimizer, targets } = o;
  const decay = o.weightDecay ?? 0;
  // The variable order fixes the optimizer's slot order, which resume relies on.
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const decayed = decayedVariables(model);
  const [h, w] = model.inputs[0].shape.slice(1, 3) as [number, number];
  return (batch: Batch): StepLoss => {
    const target = targets.makeTargets(batch);
    const x = tf.tensor4d(batch.x.subarray(0, batch.n * h * w * 3), [batch.n, h, w, 3]);
    let dataLoss: tf.Scalar | undefined;
    try {
      const total = optimizer.minimize(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        const l = targets.loss(out, target);
        dataLoss = tf.keep(l);
        return decay > 0 ? tf.add(l, l2Penalty(decayed, decay)) as tf.Scalar : l;
      }, true, vars) as tf.Scalar;
      const result = { loss: dataLoss!.dataSync()[0], total: total.dataSync()[0] };
      total.dispose();
      return result;
    } finally {
      dataLoss?.dispose();
      x.dispose();
      tf.dispose(Object.values(target));
    }
  };
}
