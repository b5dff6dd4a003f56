/**
 * Merge options over defaults, ignoring fields set to `undefined` (a plain spread would let an
 * unset flag erase a default).
 *
 * @example
 * const o = withDefaults(DEFAULT_BLAZEFACE, { minScore: undefined, maxFaces: 5 }); // minScore stays 0.5
 */
export function withDefaults<T extends object>(defaults: Required<T>, options: Partial<T> | undefined): Required<T> {
  const out = { ...defaults };
  if (options) for (const [k, v] of Object.entries(options)) if (v !== undefined && k in defaults) (out as Record<string, unknown>)[k] = v;
  return out;
}
