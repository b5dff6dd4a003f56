import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKioskServer } from '../../../device/kiosk/kiosk-server.ts';
import type { KioskConfig, KioskReport } from '../../../device/kiosk/kiosk-config.ts';

test('every response is cross-origin isolated; the page, its script, config, models and both runtimes\' WebAssembly are served locally', async (t) => {
  const server = await startKioskServer({ port: 0, threads: 2 });
  try {
    const get = (p: string) => fetch(new URL(p, server.url));
    const config = await (await get('/config.json')).json() as KioskConfig;
    t.is(config.runtime, 'litert');
    const paths = ['/', '/kiosk.js', '/config.json', config.detectorUrl, config.modelUrl, `${config.litertWasmUrl}litert_wasm_threaded_internal.wasm`, `${config.tfliteWasmUrl}tflite_web_api_cc_simd_threaded.js`, '/nothing-here'];
    for (const p of paths) {
      const res = await get(p);
      t.is(res.headers.get('cross-origin-opener-policy'), 'same-origin', p);
      t.is(res.headers.get('cross-origin-embedder-policy'), 'require-corp', p);
      t.is(res.status, p === '/nothing-here' ? 404 : 200, p);
      await res.arrayBuffer();
    }
    const html = await (await get('/')).text();
    t.notRegex(html, /https?:\/\/(?!localhost)/, 'the page loads nothing from another origin');
    const js = await (await get('/kiosk.js')).text();
    t.notRegex(js, /from\s*["']node:/, 'the bundled page imports nothing of Node');
    t.is((await get(`${config.litertWasmUrl}litert_wasm_internal.wasm`)).headers.get('content-type'), 'application/wasm');
  } finally {
    await server.close();
  }
});

test('POST /report hands a valid report to onReport and refuses malformed or oversized ones', async (t) => {
  const reports: KioskReport[] = [];
  const server = await startKioskServer({ port: 0, onReport: (r) => reports.push(r) });
  try {
    const post = (body: string) => fetch(new URL('/report', server.url), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    t.is((await post(JSON.stringify({ kind: 'error', code: 'no-camera', message: 'no camera found', hint: 'plug one in' }))).status, 204);
    t.is((await post('not json')).status, 400);
    t.is((await post(JSON.stringify({ code: 5 }))).status, 400);
    const big = await post(JSON.stringify({ code: 'x', message: 'y'.repeat(40_000) })).catch(() => undefined);
    t.true(big === undefined || big.status === 413, 'an oversized report is refused');
    t.deepEqual(reports, [{ kind: 'error', code: 'no-camera', message: 'no camera found', hint: 'plug one in' }]);
  } finally {
    await server.close();
  }
});

test('a model that is missing or not a .tflite is refused at start, naming the flag', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'agekit-kiosk-srv-'));
  await t.throwsAsync(startKioskServer({ port: 0, modelPath: join(dir, 'missing.tflite') }), { message: /missing\.tflite: model not found; check --model/ });
  writeFileSync(join(dir, 'model.json'), '{}');
  await t.throwsAsync(startKioskServer({ port: 0, detectorPath: join(dir, 'model.json') }), { message: /--detector: the kiosk runs \.tflite files/ });
});

test('a port already taken is a clear error naming --port', async (t) => {
  const first = await startKioskServer({ port: 0 });
  try {
    await t.throwsAsync(startKioskServer({ port: first.port }), { message: /--port: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\); another program uses the port/ });
  } finally {
    await first.close();
  }
});
