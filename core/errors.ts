/**
 * The one error family of agekit. Every error a user can cause (bad data, a bad model file,
 * an unconvertible op, a camera that fails) is an AgekitError whose message says where, what,
 * the value received and what to do. Anything else reaching the CLI is a bug.
 *
 * @example
 * throw new DataError('bad age "abc"', { where: 'labels.csv:17', hint: 'ages must be numbers 0..116' });
 */
import { redactCredentials } from './redact.ts';
export interface AgekitErrorOptions {
  /** File, field, layer or flag the error is about. */
  where?: string;
  /** What the user should do about it. */
  hint?: string;
  cause?: unknown;
}

/** Longest `what` and `where` kept in a message; the rest is cut with a count. */
export const MAX_WHAT_CHARS = 1500;
export const MAX_WHERE_CHARS = 300;

/**
 * Text safe to print on a terminal or in a journal: control characters (except newline and tab),
 * DEL, C1 controls and U+FFFD (what invalid UTF-8 decodes to) become `\xNN` / `\u{NNNN}` escapes,
 * and text longer than `maxChars` is cut, saying how much was cut. Values echoed from a user's
 * file (a binary CSV cell, a model's bytes) pass through this, so they cannot move the cursor,
 * clear the screen or flood the log.
 */
export function printable(text: string, maxChars = MAX_WHAT_CHARS): string {
  const escaped = text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  return escaped.length <= maxChars ? escaped : `${escaped.slice(0, maxChars)}... (${escaped.length - maxChars} more characters)`;
}

export class AgekitError extends Error {
  readonly code: string;
  /** What is wrong, without `where` and `hint` (the message is built from the three). */
  readonly what: string;
  readonly where?: string;
  readonly hint?: string;

  constructor(what: string, options: AgekitErrorOptions = {}, code = 'AGEKIT') {
    // Messages quote values from users' files and specs: escape, cut and redact them here, once for every error.
    const message = redactCredentials(printable(what, MAX_WHAT_CHARS));
    const where = options.where === undefined ? undefined : redactCredentials(printable(options.where, MAX_WHERE_CHARS));
    const text = (where ? `${where}: ` : '') + message + (options.hint ? `; ${options.hint}` : '');
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.what = message;
    this.where = where;
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

/** A file agekit had to write and could not (disk full, I/O error, read-only, no permission). */
export class OutputError extends AgekitError {
  constructor(message: string, options: AgekitErrorOptions = {}) { super(message, options, 'OUTPUT'); }
}

/** errno codes of writes that fail because of the disk or its permissions, not because of agekit. */
export const WRITE_FAULT_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is exceeded', EIO: 'the disk reported an I/O error',
  EROFS: 'the file system is read-only', EACCES: 'permission denied', EPERM: 'operation not permitted', EFBIG: 'the file is too large',
};

/** True when `err` is a write failure of the disk or file system (see {@link WRITE_FAULT_CODES}). */
export function isWriteFault(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in WRITE_FAULT_CODES;
}

/** The errno error behind a write failure: `err` itself, or the cause of an OutputError; undefined for anything else. */
export function writeFaultOf(err: unknown): NodeJS.ErrnoException | undefined {
  if (isWriteFault(err)) return err;
  if (err instanceof OutputError && isWriteFault(err.cause)) return err.cause;
  return undefined;
}

/**
 * The OutputError for a failed write: what was not written, where, why (the errno) and what to do.
 * @param what what the file is, e.g. `the report`, `checkpoint best/`
 * @param kept what is still intact, e.g. `the previous file is unchanged`
 */
export function writeFaultError(err: NodeJS.ErrnoException, what: string, path: string, kept?: string): OutputError {
  const why = WRITE_FAULT_CODES[err.code ?? ''] ?? err.message;
  return new OutputError(`${what} was not written: ${why} (${err.code})${kept ? `; ${kept}` : ''}`, {
    where: path, cause: err,
    hint: err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'free space on that disk (df -h shows it) or write elsewhere, then run again' : 'check the disk and the folder\'s permissions, then run again',
  });
}
