/**
 * Progress on stderr: a cli-progress bar on a terminal, one plain line every `everySteps` steps
 * (or seconds) otherwise, so logs of long jobs stay readable.
 *
 * @example
 * const p = createProgress('relabel', total); p.update(i, { 'img/s': 12.3 }); p.stop();
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Without a TTY, print a line at most every this many milliseconds. Default 10000. */
  plainEveryMs?: number;
  stream?: NodeJS.WriteStream;
}

function formatFields(fields: Record<string, string | number>): string {
  return Object.entries(fields).map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : v}`).join('  ');
}

/** Create a progress display for `total` units of work labelled `label`. */
export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const start = Date.now();
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {fields}`,
      stream, hideCursor: true, etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { fields: '' });
    return {
      update: (value, fields = {}) => bar.update(value, { fields: formatFields(fields) }),
      stop: () => bar.stop(),
    };
  }
  const every = options.plainEveryMs ?? 10_000;
  let last = 0;
  let lastValue = 0;
  let lastFields: Record<string, string | number> = {};
  const print = (value: number, fields: Record<string, string | number>) => {
    const elapsed = (Date.now() - start) / 1000;
    const eta = value > 0 ? ((total - value) * elapsed) / value : NaN;
    stream.write(`${label} ${value}/${total} (${((100 * value) / Math.max(1, total)).toFixed(0)}%) elapsed ${elapsed.toFixed(0)}s eta ${Number.isFinite(eta) ? eta.toFixed(0) + 's' : '?'} ${formatFields(fields)}\n`);
  };
  return {
    update(value, fields = {}) {
      lastValue = value; lastFields = fields;
      const now = Date.now();
      if (now - last >= every) { last = now; print(value, fields); }
    },
    stop() { print(lastValue, lastFields); },
  };
}
