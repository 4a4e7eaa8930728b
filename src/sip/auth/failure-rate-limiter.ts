import type { Clock } from '../transaction/clock.js';

/**
 * Counts failed authentication attempts per source (an IP address) in a fixed window; a source over the
 * limit is refused without its credentials being checked. A success clears the source's count.
 * The table is bounded: when full, the oldest entries are evicted.
 */
export class FailureRateLimiter {
  #entries = new Map<string, { count: number; since: number }>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #maxEntries: number;

  constructor(options: { maxFailures: number; windowMs: number; clock: Clock; maxEntries?: number }) {
    this.#max = options.maxFailures;
    this.#windowMs = options.windowMs;
    this.#clock = options.clock;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  isBlocked(source: string): boolean {
    const e = this.#entries.get(source);
    if (!e) return false;
    if (this.#clock.now() - e.since >= this.#windowMs) {
      this.#entries.delete(source);
      return false;
    }
    return e.count >= this.#max;
  }

  recordFailure(source: string): void {
    const now = this.#clock.now();
    const e = this.#entries.get(source);
    if (!e || now - e.since >= this.#windowMs) {
      this.#entries.delete(source);
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(source, { count: 1, since: now });
    } else e.count++;
  }

  reset(source: string): void {
    this.#entries.delete(source);
  }
}
