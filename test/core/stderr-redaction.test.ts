// Every command's stderr goes through redactCredentials once runCommandLine starts: status lines
// (strings and Buffers), commander's own messages and errors. Run in a child process because the
// redaction patches that process's stderr.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot } from '../support/shared-data.ts';

const script = `
import { Command } from 'commander';
import { runCommandLine } from './core/command-line.ts';
import { AgekitError } from './core/errors.ts';
const program = new Command('probe');
program.command('status').action(() => {
  process.stderr.write('collect: broker mqtt://fleet:s3cret@10.0.0.2:1883/agekit/#, db postgres://agekit:pgpass@db/fleet\\n');
  process.stderr.write(Buffer.from('source rtsp://admin:hunter2@cam/stream?token=abc123\\n'));
  console.error('camera http://viewer:letmein@cam/mjpeg');
});
program.command('fail').action(() => { throw new AgekitError('cannot reach mqtt://fleet:s3cret@10.0.0.2:1883'); });
// With -e there is no script in argv: commander wants [node, script, ...args].
process.exitCode = await runCommandLine(program, [process.argv[0], 'probe', ...process.argv.slice(1)]);
`;

async function probe(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], { cwd: projectRoot });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('status lines of any command lose URL passwords and secret parameters, strings and Buffers alike', async (t) => {
  const r = await probe('status');
  t.is(r.code, 0, r.stderr);
  for (const secret of ['s3cret', 'pgpass', 'hunter2', 'abc123', 'letmein']) t.false(r.stderr.includes(secret), `${secret} leaked: ${r.stderr}`);
  t.regex(r.stderr, /mqtt:\/\/\*\*\*@10\.0\.0\.2:1883\/agekit\/#/);
  t.regex(r.stderr, /postgres:\/\/\*\*\*@db\/fleet/);
  t.regex(r.stderr, /rtsp:\/\/\*\*\*@cam\/stream\?token=\*\*\*/);
  t.regex(r.stderr, /http:\/\/\*\*\*@cam\/mjpeg/);
});

test('errors printed by runCommandLine are redacted too', async (t) => {
  const r = await probe('fail');
  t.is(r.code, 1);
  t.regex(r.stderr, /agekit: cannot reach mqtt:\/\/\*\*\*@10\.0\.0\.2:1883/);
  t.false(r.stderr.includes('s3cret'));
});
