/**
 * Benchmark: how long the `agekit` command takes to start, from the installed package (npm pack,
 * installed into a fresh temporary project: the compiled CLI in dist/) against the TypeScript
 * sources through tsx, measured in turns in the same run. Medians over --runs starts of each.
 *
 * npm run bench:cli -- [--runs 15]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const say = (l: string) => process.stderr.write(`bench:cli: ${l}\n`);

const dir = await mkdtemp(join(tmpdir(), 'agekit-bench-cli-'));
try {
  say(`packing agekit (npm pack runs the build) into ${dir}`);
  execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = join(dir, (await readdir(dir)).find((f) => f.endsWith('.tgz'))!);
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, type: 'module', allowScripts: { 'tfjs-tflite-node': true, sharp: true, '@tensorflow/tfjs-node': false, '@tensorflow/tfjs-node-gpu': false, 'node-webcam': false, 'core-js': false } }));
  say('installing it into a fresh project');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });

  const ways: Record<string, string[]> = {
    'installed (dist/)': [join(app, 'node_modules', 'agekit', 'bin', 'agekit.js')],
    'sources (tsx)': ['--import', 'tsx', join(root, 'cli', 'main.ts')],
    'node -e 0 (floor)': ['-e', '0'],
  };
  const commands = [['--version'], ['run', '--help']];
  const times = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    for (const cmd of commands) {
      for (const [way, prefix] of Object.entries(ways)) {
        const key = `${way}|${cmd.join(' ')}`;
        const t0 = process.hrtime.bigint();
        await run(process.execPath, way.startsWith('node') ? prefix : [...prefix, ...cmd], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
        (times.get(key) ?? times.set(key, []).get(key)!).push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`agekit start time, median of ${runs} starts each (ms)`);
  console.log(`${'command'.padEnd(16)}${'installed'.padStart(11)}${'tsx'.padStart(9)}${'node -e 0'.padStart(11)}  installed vs tsx`);
  for (const cmd of commands) {
    const m = (way: string) => median(times.get(`${way}|${cmd.join(' ')}`)!);
    const inst = m('installed (dist/)'), tsx = m('sources (tsx)'), floor = m('node -e 0 (floor)');
    console.log(`${cmd.join(' ').padEnd(16)}${inst.toFixed(0).padStart(11)}${tsx.toFixed(0).padStart(9)}${floor.toFixed(0).padStart(11)}  ${(tsx / inst).toFixed(1)}x faster`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
