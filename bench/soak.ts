/**
 * `npm run bench:soak -- --minutes 60`: `agekit run` for a long time on a looping video of real
 * faces, with the outputs a device has attached (HTTP: an /events reader, a /preview reader, a
 * /status poller and one stalled /events client; MQTT to a local mosquitto when installed; JSON
 * lines), sampling the process every `--sample-s` (default 60): RSS, JS heap, file descriptors and
 * threads. Prints each sample and, after the warm-up (the first 20% of the run, at least one
 * sample), the slope of each in units per minute. Goal: RSS under 0.1 MB/min after warm-up.
 *
 * The run gets MALLOC_ARENA_MAX=2, as the device bundle's systemd unit sets it; `--baseline` runs a
 * second `agekit run` beside it with glibc's default arenas and prints both and their ratio.
 *
 * Options: --minutes N (default 10), --sample-s S (60), --faces <dir> (UTKFace images; default
 * ../shared/data/utkface/images), --threads N (1), --malloc-arena-max N (2), --baseline,
 * --json <file> (samples and slopes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFrames } from '../device/bench/bench-frames.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const minutes = Number(arg('minutes', '10'));
const sampleS = Number(arg('sample-s', '60'));
const facesDir = arg('faces', resolve(root, '..', 'shared', 'data', 'utkface', 'images'));
const threads = arg('threads', '1');
const jsonOut = arg('json', '');
const arenaMax = arg('malloc-arena-max', '2');
const baseline = process.argv.includes('--baseline');

const freePort = () => new Promise<number>((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample { min: number; rssMb: number; heapMb: number; fds: number; threads: number; frames: number; fps: number; dropped: number }

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const n = x.length, mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  return sxx > 0 ? sxy / sxx : 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agekit-soak-'));
  const children: ChildProcess[] = [];
  try {
    // A 20 s clip of real faces on a background, looped by the file source.
    const { frames } = await benchFrames({ facesDir, count: 60, facesPerFrame: 2, size: { width: 640, height: 480 } });
    const clip = join(dir, 'faces.mp4');
    const enc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '640x480', '-r', '3', '-i', 'pipe:0', '-pix_fmt', 'yuv420p', clip], { stdio: ['pipe', 'inherit', 'inherit'] });
    for (const f of frames) enc.stdin!.write(f.rgb);
    enc.stdin!.end();
    await new Promise((r) => enc.on('exit', r));

    let mqttArgs: string[] = [];
    const mqttPort = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\n`);
    const broker = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    const brokerOk = await new Promise<boolean>((r) => { broker.once('error', () => r(false)); setTimeout(() => r(broker.exitCode === null), 500); });
    if (brokerOk) { children.push(broker); mqttArgs = ['--mqtt', `mqtt://127.0.0.1:${mqttPort}/soak`, '--aggregate-s', '5']; }
    else process.stderr.write('soak: no mosquitto: running without MQTT\n');

    // One run per allocator setting, side by side on the same machine: the device's (the systemd
    // unit sets MALLOC_ARENA_MAX=2) and, with --baseline, glibc's default (an arena per thread).
    const settings: Array<{ label: string; arenaMax?: string }> = [{ label: `MALLOC_ARENA_MAX=${arenaMax}`, arenaMax }];
    if (baseline) settings.push({ label: 'glibc default arenas' });
    const runs = await Promise.all(settings.map((st, i) => startRun(st.label, st.arenaMax, i)));

    async function startRun(label: string, arena: string | undefined, i: number) {
      const port = await freePort();
      const env = { ...process.env };
      if (arena === undefined) delete env.MALLOC_ARENA_MAX; else env.MALLOC_ARENA_MAX = arena;
      const mqtt = mqttArgs.length ? [mqttArgs[0], `${mqttArgs[1]}${i}`, ...mqttArgs.slice(2)] : [];
      const run = spawn(process.execPath, ['--import', 'tsx', join(root, 'device', 'main.ts'), 'run', '--source', `file:${clip}`, '--loop', '--fps', '15',
        '--http', `127.0.0.1:${port}`, '--preview', ...mqtt, '--out', join(dir, `frames${i}.jsonl`), '--report', join(dir, `report${i}.json`), '--no-status', '--threads', threads],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env });
      children.push(run);
      let stderr = '';
      run.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-20_000); });
      const base = `http://127.0.0.1:${port}`;
      const status = async () => JSON.parse(await (await fetch(`${base}/status`)).text());
      for (let k = 0; k < 300; k++) { try { await status(); break; } catch { await sleep(200); } }
      // The clients: readers that keep up, a poller, and one that never reads.
      const readers = ['/events', '/preview'].map((path) => request(`${base}${path}`, (res) => res.resume()).end());
      const stalled = connect(port, '127.0.0.1', () => { stalled.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`); stalled.pause(); });
      stalled.on('error', () => undefined);
      const poll = setInterval(() => { void status().catch(() => undefined); }, 2000);
      const samples: Sample[] = [];
      const sampleOnce = async () => {
        if (run.exitCode !== null) throw new Error(`agekit run (${label}) exited (${run.exitCode}):\n${stderr}`);
        const procStatus = readFileSync(`/proc/${run.pid}/status`, 'utf8');
        const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(procStatus)?.[1] ?? 0);
        const s = await status();
        const sample: Sample = {
          min: (Date.now() - started) / 60_000, rssMb: kb('VmRSS') / 1024, heapMb: s.process?.heap_used_mb ?? NaN,
          fds: readdirSync(`/proc/${run.pid}/fd`).length, threads: kb('Threads'), frames: s.frames, fps: s.fps, dropped: s.http?.dropped_slow_client ?? 0,
        };
        samples.push(sample);
        process.stderr.write(`soak [${label}] ${sample.min.toFixed(1).padStart(5)} min: RSS ${sample.rssMb.toFixed(1)} MB, heap ${sample.heapMb.toFixed(1)} MB, ${sample.fds} fds, ${sample.threads} threads, ${sample.frames} frames (${sample.fps} FPS), ${sample.dropped} frames dropped for the stalled client\n`);
      };
      const stop = async () => {
        clearInterval(poll);
        stalled.destroy();
        for (const r of readers) r.destroy();
        run.kill('SIGINT');
        await new Promise((r) => run.once('exit', r));
      };
      return { label, samples, sampleOnce, stop };
    }

    const started = Date.now();
    await Promise.all(runs.map((r) => r.sampleOnce()));
    while (Date.now() - started < minutes * 60_000) {
      await sleep(Math.min(sampleS * 1000, minutes * 60_000 - (Date.now() - started)));
      await Promise.all(runs.map((r) => r.sampleOnce()));
    }
    const results = runs.map(({ label, samples }) => {
      const warm = samples.filter((s) => s.min >= Math.max(samples[1]?.min ?? 0, minutes * 0.2));
      const slopes = warm.length >= 2 ? {
        rssMbPerMin: slope(warm.map((s) => s.min), warm.map((s) => s.rssMb)),
        heapMbPerMin: slope(warm.map((s) => s.min), warm.map((s) => s.heapMb)),
        fdsPerMin: slope(warm.map((s) => s.min), warm.map((s) => s.fds)),
        threadsPerMin: slope(warm.map((s) => s.min), warm.map((s) => s.threads)),
      } : undefined;
      if (slopes) {
        process.stdout.write(`soak [${label}]: ${minutes} min, ${samples[samples.length - 1].frames} frames, RSS ${samples[0].rssMb.toFixed(1)} -> ${samples[samples.length - 1].rssMb.toFixed(1)} MB; ` +
          `after warm-up (${warm[0].min.toFixed(1)} min on, ${warm.length} samples): ` +
          `RSS ${slopes.rssMbPerMin.toFixed(3)} MB/min, heap ${slopes.heapMbPerMin.toFixed(3)} MB/min, fds ${slopes.fdsPerMin.toFixed(3)}/min, threads ${slopes.threadsPerMin.toFixed(3)}/min ` +
          `(goal RSS < 0.1 MB/min: ${slopes.rssMbPerMin < 0.1 ? 'met' : 'NOT met'})\n`);
      } else process.stdout.write(`soak [${label}]: too short for a slope (need at least two samples after the warm-up)\n`);
      return { label, samples, slopes };
    });
    if (results.length === 2 && results[0].slopes && results[1].slopes) {
      const [dev, base] = results;
      const last = (r: typeof dev) => r.samples[r.samples.length - 1].rssMb;
      process.stdout.write(`soak: ${dev.label} ends at ${last(dev).toFixed(1)} MB against ${last(base).toFixed(1)} MB with ${base.label} ` +
        `(${(last(base) / last(dev)).toFixed(2)}x the RSS without it); slopes after warm-up ${dev.slopes!.rssMbPerMin.toFixed(3)} vs ${base.slopes!.rssMbPerMin.toFixed(3)} MB/min\n`);
    }
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ minutes, sampleS, runs: results }, null, 2) + '\n');
    await Promise.all(runs.map((r) => r.stop()));
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { process.stderr.write(`soak: ${(err as Error).stack ?? err}\n`); process.exit(1); });
