/**
 * Errors a kiosk meets, shown on the page (a kiosk never goes blank) and POSTed to the kiosk
 * server, which prints them on its stderr (the device's journal). Camera failures are told
 * apart by the DOMException getUserMedia rejects with.
 *
 * @example
 * const errors = new PageErrors(document.getElementById('error')!, '/report');
 * errors.report(cameraErrorReport(err));
 */
import { AgekitError } from '../../../core/errors.ts';
import type { KioskReport } from '../kiosk-config.ts';

/** The report for a getUserMedia failure, by the DOMException's name. */
export function cameraErrorReport(err: unknown): KioskReport {
  const name = (err as { name?: string })?.name ?? '';
  const detail = `${name || 'Error'}: ${(err as Error)?.message ?? String(err)}`;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return { kind: 'error', code: 'camera-denied', message: `camera permission denied (${detail})`, hint: 'allow the camera for this page: start Chromium with --use-fake-ui-for-media-stream in kiosk mode, or set the site permission' };
  }
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') {
    return { kind: 'error', code: 'no-camera', message: `no camera found (${detail})`, hint: 'plug a camera in (ls /dev/video*, agekit cameras) and reload the page' };
  }
  if (name === 'NotReadableError' || name === 'TrackStartError') {
    return { kind: 'error', code: 'camera-failed', message: `the camera could not be started (${detail})`, hint: 'another program may hold it (agekit run, a second browser): stop it and reload' };
  }
  return { kind: 'error', code: 'camera-failed', message: `the camera failed (${detail})`, hint: 'reload the page; see the kiosk server\'s stderr' };
}

/** The report for any other error; an AgekitError keeps its where and hint. */
export function errorReport(code: string, err: unknown): KioskReport {
  if (err instanceof AgekitError) return { kind: 'error', code, message: (err.where ? `${err.where}: ` : '') + err.what, hint: err.hint };
  return { kind: 'error', code, message: (err as Error)?.message ?? String(err) };
}

/** Shows reports in a panel over the page and sends each to the server once. */
export class PageErrors {
  readonly reports: KioskReport[] = [];

  constructor(private readonly panel: HTMLElement, private readonly reportUrl: string) {}

  report(r: KioskReport): void {
    // The same failure every frame is one report, not a flood.
    if (this.reports.some((p) => p.code === r.code && p.message === r.message)) return;
    this.reports.push(r);
    const item = document.createElement('div');
    item.className = 'error-item';
    item.dataset.code = r.code;
    const title = document.createElement('strong');
    title.textContent = r.message;
    item.append(title);
    if (r.hint) {
      const hint = document.createElement('p');
      hint.textContent = r.hint;
      item.append(hint);
    }
    this.panel.append(item);
    this.panel.hidden = false;
    fetch(this.reportUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r) }).catch(() => {
      // The server is gone: the page still shows the error, which is all a kiosk can do.
    });
  }
}
