/**
 * Parameters and multiply-adds of a .tflite file, from its tensors and operators (read with the
 * converter's reader), by the rule `agekit nets` and the tfjs profiler count use: convolutions,
 * depthwise convolutions and fully connected layers; elementwise ops are free.
 *
 * @example
 * const { parameters, multiplyAdds } = tfliteCost(readTflite(bytes, 'student.tflite'));
 */
import type { TfliteInfo } from '../../core/tflite/read-tflite.ts';

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Weights (constant tensors, biases included) and multiply-adds at the file's own batch size (usually 1). */
export function tfliteCost(info: TfliteInfo): { parameters: number; multiplyAdds: number } {
  let parameters = 0;
  for (const t of info.tensors) if (t.dataBytes > 0) parameters += prod(t.shape);
  let multiplyAdds = 0;
  for (const op of info.operators) {
    const out = info.tensors[op.outputs[0]]?.shape;
    const w = info.tensors[op.inputs[1]]?.shape;
    if (!out || !w) continue;
    if (op.builtin === 'CONV_2D') multiplyAdds += prod(out) * w[1] * w[2] * w[3]; // filter [cout, kh, kw, cin]
    else if (op.builtin === 'DEPTHWISE_CONV_2D') multiplyAdds += prod(out) * w[1] * w[2]; // filter [1, kh, kw, cout]
    else if (op.builtin === 'FULLY_CONNECTED') multiplyAdds += prod(out) * w[1]; // weights [out, in]
  }
  return { parameters, multiplyAdds };
}
