/**
 * Enum values of TFLite's schema.fbs (schema revision 3c, file identifier "TFL3"), as const
 * objects: only the members agekit writes or reads back. Values are the schema's, never renumber.
 */

/** TensorType (schema.fbs `enum TensorType : byte`). */
export const TensorType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7, COMPLEX64: 8, INT8: 9,
} as const;
export type TensorTypeValue = (typeof TensorType)[keyof typeof TensorType];

/** BuiltinOperator (schema.fbs `enum BuiltinOperator : int32`), the subset agekit maps to. */
export const BuiltinOperator = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6,
  FULLY_CONNECTED: 9, LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22,
  SOFTMAX: 25, TANH: 28, PAD: 34, MEAN: 40, SUB: 41, MAXIMUM: 55, MINIMUM: 57, QUANTIZE: 114, HARD_SWISH: 117,
} as const;
export type BuiltinOp = keyof typeof BuiltinOperator;
export type BuiltinOpCode = (typeof BuiltinOperator)[BuiltinOp];

/** Name of a builtin code, or `BUILTIN_<n>` for codes agekit does not know. */
export function builtinName(code: number): string {
  for (const [name, value] of Object.entries(BuiltinOperator)) if (value === code) return name;
  return `BUILTIN_${code}`;
}

/** BuiltinOptions union type tags (position in `union BuiltinOptions`, NONE = 0). */
export const BuiltinOptionsType = {
  NONE: 0, Conv2DOptions: 1, DepthwiseConv2DOptions: 2, Pool2DOptions: 5, FullyConnectedOptions: 8,
  SoftmaxOptions: 9, ConcatenationOptions: 10, AddOptions: 11, ReshapeOptions: 17, MulOptions: 21,
  PadOptions: 22, ReducerOptions: 27, SubOptions: 28, DequantizeOptions: 38, MaximumMinimumOptions: 39,
  QuantizeOptions: 89, HardSwishOptions: 91,
} as const;
export type BuiltinOptionsTag = (typeof BuiltinOptionsType)[keyof typeof BuiltinOptionsType];

/** Padding (schema.fbs `enum Padding : byte`). */
export const Padding = { SAME: 0, VALID: 1 } as const;

/** ActivationFunctionType (schema.fbs). */
export const ActivationFunctionType = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** The schema version written in Model.version. */
export const TFLITE_SCHEMA_VERSION = 3;
/** The flatbuffer file identifier of .tflite files. */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';
