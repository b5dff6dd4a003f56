import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { projectRoot } from '../../support/shared-data.ts';
import { launchKioskBrowser, requireChromium, startKioskCli, type KioskBrowserOptions } from '../support/kiosk-browser.ts';

interface Shown { state: string; codes: string[]; panel: string; visible: boolean }

/** Open the kiosk page in a browser launched with `browserOptions` and wait until it shows an error. */
async function errorShown(chromium: string, kioskArgs: string[], browserOptions: KioskBrowserOptions, screenshot: string): Promise<{ shown: Shown; stderr: string }> {
  const kiosk = await startKioskCli(kioskArgs);
  let browser: Browser | undefined;
  try {
    browser = await launchKioskBrowser(chromium, browserOptions);
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 480 });
    await page.goto(kiosk.url);
    await page.waitForFunction(() => window.agekit?.state === 'error', { timeout: 90_000, polling: 200 });
    // The POST reaches the server a moment after the page shows the error.
    const deadline = Date.now() + 10_000;
    while (!/page error/.test(kiosk.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const shown = await page.evaluate(() => {
      const panel = document.getElementById('error')!;
      return { state: window.agekit.state, codes: window.agekit.errors.map((e) => e.code), panel: panel.innerText, visible: !panel.hidden && panel.getBoundingClientRect().height > 0 };
    });
    await page.screenshot({ path: screenshot });
    return { shown, stderr: kiosk.stderr() };
  } finally {
    await browser?.close();
    await kiosk.stop();
  }
}

test.serial('no camera: the page says so and what to do, and the server prints the report on stderr', async (t) => {
  const chromium = requireChromium(t);
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'agekit-kiosk-err-'));
  const { shown, stderr } = await errorShown(chromium, [], { fakeCamera: false }, join(dir, 'no-camera.png'));
  t.deepEqual(shown.codes, ['no-camera']);
  t.true(shown.visible, 'the error panel is on the screen');
  t.regex(shown.panel, /no camera found.*\n?.*plug a camera in/s);
  t.regex(stderr, /agekit kiosk: page error no-camera: no camera found \(NotFoundError/);
});

test.serial('camera permission denied: the page says so, and the server prints it', async (t) => {
  const chromium = requireChromium(t);
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'agekit-kiosk-err-'));
  const { shown, stderr } = await errorShown(chromium, [], { fakeCamera: true, allowCamera: false }, join(dir, 'denied.png'));
  t.deepEqual(shown.codes, ['camera-denied']);
  t.true(shown.visible);
  t.regex(shown.panel, /camera permission denied/);
  t.regex(stderr, /page error camera-denied: camera permission denied \(NotAllowedError/);
});

test.serial('a corrupt model file: the page names the file and the problem (the camera still opens), and the server prints it', async (t) => {
  const chromium = requireChromium(t);
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'agekit-kiosk-err-'));
  const bytes = readFileSync(join(projectRoot, 'samples', 'models', 'student.tflite'));
  const cut = join(dir, 'cut-student.tflite');
  writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
  const { shown, stderr } = await errorShown(chromium, ['--model', cut], { fakeCamera: true }, join(dir, 'corrupt.png'));
  t.deepEqual(shown.codes, ['model-load']);
  t.true(shown.visible);
  t.regex(shown.panel, /cut-student\.tflite: .*(past end of file|truncated)/);
  t.regex(stderr, /page error model-load: cut-student\.tflite: /);
});
