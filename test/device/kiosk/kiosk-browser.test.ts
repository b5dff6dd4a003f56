import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline } from '../../../device/pipeline.ts';
import { iou } from '../../../device/detectors/non-max-suppression.ts';
import type { Frame, FrameResult, Source } from '../../../device/stages.ts';
import type { KioskFramePixels, KioskStats } from '../../../device/kiosk/page/audience-api.ts';
import { KIOSK_RUNTIMES } from '../../../device/kiosk/kiosk-config.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';
import { kioskScenes, launchKioskBrowser, requireChromium, startKioskCli, writeScenesY4m } from '../support/kiosk-browser.ts';

/** Frames given as RGB arrays, as a device Source. */
function framesSource(frames: Frame[]): Source {
  return {
    id: 'page-frames', health: { badFrames: 0, restarts: 0, stalls: 0, dropped: 0 },
    async *frames() { yield* frames; },
    close: async () => undefined,
  };
}

/** The device pipeline (native TFLite, the shipped models) on every frame of a source. */
async function nodeResults(source: string | Source): Promise<FrameResult[]> {
  const out: FrameResult[] = [];
  const pipeline = await createPipeline({ source, sinks: [{ write: (r) => { out.push(structuredClone(r)); }, close: async () => undefined }] });
  try {
    await pipeline.run(new AbortController().signal);
  } finally {
    await pipeline.close();
  }
  return out;
}

dataTest(test)('in Chromium with a fake camera of real UTKFace faces, the kiosk page finds every face and, on the same frames, ages it within 1 year of the Node runtime, on both page runtimes, with FPS per stage', async (t) => {
  const chromium = requireChromium(t);
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'agekit-kiosk-'));
  const video = join(dir, 'faces.y4m');
  const { scenes } = kioskScenes(utkfaceDir());
  await writeScenesY4m(scenes, video);
  const node = await nodeResults(`file:${video}`);
  t.is(node.length, 40, 'ffmpeg decodes the 40 frames of the video');
  // The scenes are still: one frame of each holds every face the Node runtime sees there.
  const reference = [node[0], node[20]].flatMap((r) => r.faces);
  t.is(reference.length, 6, `the Node runtime finds the 6 faces (${reference.length})`);
  for (const runtime of KIOSK_RUNTIMES) {
    const kiosk = await startKioskCli(['--runtime', runtime, '--threads', '2']);
    const browser = await launchKioskBrowser(chromium, { video });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 640, height: 480 });
      await page.goto(kiosk.url);
      // Long enough for both scenes (2 s each) to pass in front of the camera at the slower runtime's speed.
      await page.waitForFunction(() => window.agekit.state !== 'loading' && (window.agekit.state === 'error' || window.agekit.stats().frames >= 40), { timeout: 180_000, polling: 500 });
      // Signage content's view: listen to window.agekit while the scenes change (the faces of one scene end, the next one's start).
      await page.evaluate(() => {
        const w = window as unknown as { seen: Record<string, number>; audiences: Array<{ total: number; byBucket: Record<string, number> }> };
        w.seen = {}; w.audiences = [];
        for (const type of ['track-start', 'track-update', 'track-end', 'frame'] as const) window.agekit.on(type, () => { w.seen[type] = (w.seen[type] ?? 0) + 1; });
        window.agekit.on('audience', (a) => w.audiences.push(a));
      });
      // The exact pixels of a few frames the page processed, 1.1 s apart so that both scenes (2 s each) are among them.
      const grabbed: KioskFramePixels[] = [];
      for (let i = 0; i < 4; i++) {
        grabbed.push(await page.evaluate(() => window.agekit.nextFramePixels()));
        await new Promise((r) => setTimeout(r, 1100));
      }
      const { results, stats, errors, events, audiences } = await page.evaluate(() => {
        const w = window as unknown as { seen: Record<string, number>; audiences: Array<{ total: number; byBucket: Record<string, number> }> };
        return { results: window.agekit.results(), stats: window.agekit.stats(), errors: window.agekit.errors, events: w.seen, audiences: w.audiences };
      });
      t.true((events['track-start'] ?? 0) >= 3 && (events['track-end'] ?? 0) >= 3 && (events['track-update'] ?? 0) >= 3 && (events.frame ?? 0) > 0, `${runtime}: track events while the scenes change (${JSON.stringify(events)})`);
      t.true(audiences.length > 0 && audiences.every((a) => Object.values(a.byBucket).reduce((x, y) => x + y, 0) <= a.total), `${runtime}: audience events count tracks by bucket`);
      t.true(audiences.some((a) => a.total === 3 && Object.values(a.byBucket).reduce((x, y) => x + y, 0) === 3), `${runtime}: a scene's 3 faces make an audience of 3 in their buckets (${JSON.stringify(audiences.slice(-4))})`);
      t.deepEqual(errors, [], `${runtime}: the page reports no error`);
      await page.screenshot({ path: join(dir, `kiosk-${runtime}.png`) });
      // Same pixels: the device pipeline on the frames the page processed gives the same faces and ages.
      const same = await nodeResults(framesSource(grabbed.map((g, i) => ({ index: i, tMs: (i + 1) * 100, width: g.width, height: g.height, rgb: new Uint8Array(Buffer.from(g.rgbBase64, 'base64')) }))));
      let worstSame = 0, comparedSame = 0;
      grabbed.forEach((g, i) => {
        t.is(g.result.faces.length, same[i].faces.length, `${runtime}: frame ${g.result.frame}: as many faces in the page as in Node`);
        for (const f of g.result.faces) {
          const n = same[i].faces.find((m) => iou(m.box, f.box) > 0.9);
          t.truthy(n, `${runtime}: page face at ${JSON.stringify(f.box)} is where Node finds it on the same pixels`);
          if (!n || f.age === undefined) continue;
          comparedSame++;
          worstSame = Math.max(worstSame, Math.abs(f.age - n.age!));
        }
      });
      t.true(comparedSame >= 6 && worstSame <= 1, `${runtime}: on the same pixels, ages within 1 year of Node's (worst ${worstSame.toFixed(4)} y over ${comparedSame} faces)`);
      const matched = new Set<number>();
      // The same video: Chromium's and ffmpeg's YUV-to-RGB conversions differ slightly, so ages may differ a little more.
      let worst = 0, compared = 0;
      const seen = reference.map(() => [] as number[]);
      for (const r of results) {
        for (const f of r.faces) {
          const i = reference.findIndex((n) => iou(n.box, f.box) > 0.6);
          t.true(i >= 0, `${runtime}: page face at ${JSON.stringify(f.box)} is one the Node runtime found`);
          if (i < 0 || f.age === undefined) continue;
          matched.add(i);
          seen[i].push(f.age);
          compared++;
          worst = Math.max(worst, Math.abs(f.age - reference[i].age!));
        }
      }
      if (matched.size < 6) t.log(`${runtime}: faces per page frame ${results.map((r) => r.faces.length).join(' ')}; not found: ${JSON.stringify(reference.filter((_, i) => !matched.has(i)).map((f) => f.box))}`);
      t.is(matched.size, 6, `${runtime}: all 6 faces found in the page (${matched.size})`);
      t.log(`${runtime}: same video decoded by ffmpeg for Node, Node age / page age per face: ${reference.map((n, i) => `${n.age!.toFixed(2)} / ${[...new Set(seen[i].map((a) => a.toFixed(2)))].join(',')}`).join(' | ')}`);
      const s: KioskStats = stats;
      t.true(s.fps > 0 && s.stageMs.detect > 0 && s.stageMs.estimate > 0 && s.extraMs['detect.infer'] > 0, `${runtime}: FPS and stage times reported (${JSON.stringify(s.stageMs)})`);
      t.true(s.crossOriginIsolated, `${runtime}: the page is cross-origin isolated (COOP/COEP), so WASM threads work`);
      t.log(`${runtime}: ${s.fps.toFixed(1)} fps, detect ${s.stageMs.detect.toFixed(1)} ms, estimate ${s.stageMs.estimate.toFixed(1)} ms (${s.model}); same pixels: worst age difference ${worstSame.toFixed(4)} y over ${comparedSame} faces; same video: ${worst.toFixed(3)} y over ${compared}; screenshot ${join(dir, `kiosk-${runtime}.png`)}`);
    } finally {
      await browser.close();
      await kiosk.stop();
    }
  }
});
