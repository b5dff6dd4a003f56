/**
 * The one table of op mappers: adding a TFLite builtin is one file in this folder and one line
 * here. The first mapper whose `matches` accepts an IR op writes it.
 */
import type { IrOp } from '../../ir/graph.ts';
import type { OpMapper } from './op-mapper.ts';
import { ADD } from './ADD.ts';
import { AVERAGE_POOL_2D } from './AVERAGE_POOL_2D.ts';
import { CONCATENATION } from './CONCATENATION.ts';
import { CONV_2D } from './CONV_2D.ts';
import { DEPTHWISE_CONV_2D } from './DEPTHWISE_CONV_2D.ts';
import { DEQUANTIZE } from './DEQUANTIZE.ts';
import { FULLY_CONNECTED } from './FULLY_CONNECTED.ts';
import { HARD_SWISH } from './HARD_SWISH.ts';
import { LOGISTIC } from './LOGISTIC.ts';
import { MAXIMUM } from './MAXIMUM.ts';
import { MAX_POOL_2D } from './MAX_POOL_2D.ts';
import { MEAN } from './MEAN.ts';
import { MINIMUM } from './MINIMUM.ts';
import { MUL } from './MUL.ts';
import { PAD } from './PAD.ts';
import { QUANTIZE } from './QUANTIZE.ts';
import { RELU } from './RELU.ts';
import { RELU6 } from './RELU6.ts';
import { RESHAPE } from './RESHAPE.ts';
import { SOFTMAX } from './SOFTMAX.ts';
import { SUB } from './SUB.ts';
import { TANH } from './TANH.ts';

export const OP_MAPPERS: readonly OpMapper[] = [
  ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, FULLY_CONNECTED, HARD_SWISH,
  LOGISTIC, MAXIMUM, MAX_POOL_2D, MEAN, MINIMUM, MUL, PAD, QUANTIZE, RELU, RELU6, RESHAPE, SOFTMAX, SUB, TANH,
];

/** The mapper that writes `op`, if any. */
export function mapperFor(op: IrOp): OpMapper | undefined {
  return OP_MAPPERS.find((m) => m.matches(op));
}
