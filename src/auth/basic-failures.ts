/**
 * Failed HTTP Basic checks per source address. Each failure costs a scrypt (~35 ms of CPU), so a client
 * guessing secrets could keep both cores busy; past `maxFailures` in `windowMs` a source gets 429 without a
 * check until the window ends (docs/security.md). Credentials remembered as verified (verified-secrets.ts)
 * still pass, so a blocked address does not lock out a client that already proved its secret.
 */
export class BasicFailures {
  readonly #sources = new Map<string, { count: number; since: number }>();

  constructor(
    readonly maxFailures = 20,
    readonly windowMs = 60_000,
    readonly maxSources = 10_000,
  ) {}

  /** How long the source must wait (ms), 0 when it may try. */
  retryAfterMs(source: string, now = Date.now()): number {
    const s = this.#sources.get(source);
    if (!s) return 0;
    if (now - s.since >= this.windowMs) {
      this.#sources.delete(source);
      return 0;
    }
    return s.count >= this.maxFailures ? s.since + this.windowMs - now : 0;
  }

  fail(source: string, now = Date.now()): void {
    const s = this.#sources.get(source);
    if (s && now - s.since < this.windowMs) s.count++;
    else {
      if (this.#sources.size >= this.maxSources) this.#prune(now);
      this.#sources.set(source, { count: 1, since: now });
    }
  }

  #prune(now: number): void {
    for (const [k, s] of this.#sources) if (now - s.since >= this.windowMs) this.#sources.delete(k);
    if (this.#sources.size >= this.maxSources) this.#sources.delete(this.#sources.keys().next().value!);
  }
}
