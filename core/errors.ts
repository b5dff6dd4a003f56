/**
 * The one error family of agekit. Every error a user can cause (bad data, a bad model file,
 * an unconvertible op, a camera that fails) is an AgekitError whose message says where, what,
 * the value received and what to do. Anything else reaching the CLI is a bug.
 *
 * @example
 * throw new DataError('bad age "abc"', { where: 'labels.csv:17', hint: 'ages must be numbers 0..116' });
 */
export interface AgekitErrorOptions {
  /** File, field, layer or flag the error is about. */
  where?: string;
  /** What the user should do about it. */
  hint?: string;
  cause?: unknown;
}

export class AgekitError extends Error {
  readonly code: string;
  /** What is wrong, without `where` and `hint` (the message is built from the three). */
  readonly what: string;
  readonly where?: string;
  readonly hint?: string;

  constructor(message: string, options: AgekitErrorOptions = {}, code = 'AGEKIT') {
    const text = (options.where ? `${options.where}: ` : '') + message + (options.hint ? `; ${options.hint}` : '');
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.what = message;
    this.where = options.where;
    this.hint = options.hint;
  }
}

/** A dataset spec, a label file or an image that cannot be used. */
export class DataError extends AgekitError {
  constructor(message: string, options: AgekitErrorOptions = {}) { super(message, options, 'DATA'); }
}

/** A model file (checkpoint, .tflite, graph model, metadata) that is missing, truncated or foreign. */
export class ModelFormatError extends AgekitError {
  constructor(message: string, options: AgekitErrorOptions = {}) { super(message, options, 'MODEL_FORMAT'); }
}

/** A layer or graph op that cannot be written to TFLite, or a quantization that cannot be done. */
export class ConversionError extends AgekitError {
  constructor(message: string, options: AgekitErrorOptions = {}) { super(message, options, 'CONVERSION'); }
}

/** A frame source (camera, ffmpeg, stream) that failed. */
export class SourceError extends AgekitError {
  constructor(message: string, options: AgekitErrorOptions = {}) { super(message, options, 'SOURCE'); }
}

/** A command-line value that is not valid: printed with exit code 2. */
export class UsageError extends AgekitError {
  constructor(message: string, options: AgekitErrorOptions = {}) { super(message, options, 'USAGE'); }
}
