/**
 * The campaign's one source of randomness: mulberry32, seeded from the printed campaign seed, one stream
 * per target (`forTarget`) so a target's inputs do not depend on how fast the others ran. Replaying a
 * seed replays every input a target generated, in order (timing-dependent interleavings aside).
 */
export class Prng {
  #a: number;

  constructor(readonly seed: number) {
    this.#a = seed >>> 0;
  }

  /** A stream derived from `seed` and a target name (FNV-1a of the name mixed into the seed). */
  static forTarget(seed: number, target: string): Prng {
    let h = 0x811c9dc5;
    for (const ch of target) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    return new Prng((seed ^ h) >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[this.int(xs.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** The campaign seed: FUZZ_SEED when given (a replay), else from the clock. */
export function campaignSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer 0-4294967295, got '${given}'`);
    return n;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
