/**
 * Deterministic random numbers for shuffling and augmentation: mulberry32 for uniforms,
 * Box-Muller for normals, and a seed mixer so item i of an epoch gets its own stream whatever
 * thread prepares it (results do not depend on scheduling or worker count).
 *
 * @example
 * const rng = new SeededRandom(mixSeeds(seed, index));
 * const angle = rng.clippedNormal(0, 5, 10);
 */

/** Mix integers into one 32-bit seed (splitmix-style finaliser): nearby inputs give unrelated seeds. */
export function mixSeeds(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export class SeededRandom {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = mixSeeds(seed) || 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Normal with the given mean and standard deviation. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Normal(mean, std) clipped to [mean - limit, mean + limit] (the seed framework's "normal crop"). */
  clippedNormal(mean: number, std: number, limit: number): number {
    const x = this.normal(mean, std);
    return x < mean - limit ? mean - limit : x > mean + limit ? mean + limit : x;
  }

  /** Fisher-Yates shuffle of `items`, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
