/**
 * Dataset specs: `<kind>:<location>[:<key>=<value>]...`, e.g. `utkface:../data/utkface:split=val`
 * or `adience:/data/adience:fold=0,1,2`. The location is everything between the kind and the
 * first `key=value` suffix, so it may itself contain colons.
 *
 * @example
 * parseDatasetSpec('csv:faces.csv:split=train') // { kind: 'csv', location: 'faces.csv', options: { split: 'train' } }
 */
import { DataError } from '../../core/errors.ts';

export interface ParsedDatasetSpec {
  /** The spec as written. */
  spec: string;
  /** Loader name, lower case. */
  kind: string;
  /** Directory or file, as written (not yet resolved). */
  location: string;
  /** `key=value` suffixes, in order; a key may appear once. */
  options: Record<string, string>;
}

const OPTION = /^([a-z][a-z0-9_]*)=(.*)$/;

/** Split a spec into kind, location and options; a malformed spec is a DataError that shows the expected shape. */
export function parseDatasetSpec(spec: string, kinds: readonly string[] = []): ParsedDatasetSpec {
  const shape = `write <kind>:<path>[:split=<name>]${kinds.length ? ` with kind one of ${kinds.join(', ')}` : ''}`;
  const where = `dataset spec "${spec}"`;
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new DataError('no kind before a colon', { where, hint: shape });
  const kind = spec.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9_+-]*$/.test(kind)) throw new DataError(`malformed kind "${kind}"`, { where, hint: shape });
  const parts = spec.slice(colon + 1).split(':');
  // Options are the trailing key=value parts; the rest, rejoined, is the location.
  let firstOption = parts.length;
  while (firstOption > 1 && OPTION.test(parts[firstOption - 1])) firstOption--;
  const location = parts.slice(0, firstOption).join(':');
  if (location.trim() === '') throw new DataError('no path after the kind', { where, hint: shape });
  const options: Record<string, string> = {};
  for (const part of parts.slice(firstOption)) {
    const [, key, value] = OPTION.exec(part)!;
    if (key in options) throw new DataError(`option "${key}" given twice`, { where, hint: 'give each option once' });
    if (value.trim() === '') throw new DataError(`option "${key}" has no value`, { where, hint: `write ${key}=<value>` });
    options[key] = value.trim();
  }
  return { spec, kind, location, options };
}
