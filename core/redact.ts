/**
 * Credentials out of everything agekit prints or serves: `scheme://user:pass@host` becomes
 * `scheme://***@host` and secret-looking query parameters (`?password=`, `&token=`, ...) lose
 * their values. Applied to stderr lines, error messages, /status, report.json and MQTT events,
 * because a device's journal and its status page are read by more people than its config.
 *
 * @example
 * redactCredentials('rtsp://admin:hunter2@10.0.0.5/stream'); // 'rtsp://***@10.0.0.5/stream'
 */

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi;
const SECRET_PARAMS = /([?&;](?:password|passwd|pass|pwd|token|access_token|api_key|apikey|key|secret|auth)=)[^&;\s"'<>]+/gi;

/** `text` with the user-info of every URL and the values of secret query parameters replaced by `***`. */
export function redactCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(SECRET_PARAMS, '$1***');
}

/** A copy of plain data (JSON-serialisable) with every string redacted. */
export function redactJson<T>(value: T): T {
  return JSON.parse(redactCredentials(JSON.stringify(value))) as T;
}

let stderrRedacted = false;

/**
 * Pass everything written to process.stderr through redactCredentials: every command's status
 * lines, progress and errors, including commands that print a `--mqtt` or `--db` URL they were
 * given. The executables call it once at start; writes keep their callbacks and encodings.
 */
export function redactStderr(): void {
  if (stderrRedacted) return;
  stderrRedacted = true;
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string') return write(redactCredentials(chunk), ...rest);
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      const clean = redactCredentials(text);
      return write(clean === text ? chunk : clean, ...rest);
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
}
