/**
 * Run an agekit executable as a child process, collect its output, and optionally send it a
 * signal once its stdout has produced `afterLines` lines (to test Ctrl-C and SIGTERM).
 */
import { spawn } from 'node:child_process';

export interface CliRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function runCli(cmd: string, args: string[], o: { cwd?: string; signalAfterLines?: { lines: number; signal: NodeJS.Signals }; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (o.signalAfterLines && !sent && stdout.split('\n').length - 1 >= o.signalAfterLines.lines) { sent = true; child.kill(o.signalAfterLines.signal); }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}
