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
