/**
 * A real mosquitto broker on a free loopback port, for MQTT tests: start, stop (to simulate an
 * outage) and start again on the same port; everything under one temp folder the caller removes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';

export function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

/**
 * Start mosquitto on `port` (anonymous clients allowed) and wait until a client can connect. With
 * `persistence`, sessions and queued messages survive a restart (kept in `dir`).
 */
export async function startMosquitto(dir: string, port: number, o: { persistence?: boolean } = {}): Promise<ChildProcess> {
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\n` + (o.persistence ? `persistence true\npersistence_location ${dir}/\n` : ''));
  const b = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 });
      c.once('connect', () => { c.end(true); resolve(true); });
      c.once('error', () => { c.end(true); resolve(false); });
      c.once('close', () => resolve(false));
    });
    if (ok) return b;
    await new Promise((r) => setTimeout(r, 100));
  }
  b.kill('SIGKILL');
  throw new Error('mosquitto did not start');
}

/** Stop a broker and wait for it to exit. */
export function stopMosquitto(b: ChildProcess): Promise<void> {
  if (b.exitCode !== null || b.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => { b.once('exit', () => resolve()); b.kill('SIGTERM'); });
}
