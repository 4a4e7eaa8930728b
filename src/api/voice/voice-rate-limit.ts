/**
 * The voice API's request rate limit (spec bandwidth §0: "other endpoints … → 429 with
 * `X-RateLimit-Reset` (epoch ms)"): one token bucket per account. The provider's own figure (1 request/s)
 * would break ordinary call control — a call's answer, audio and gather come in the same second — so
 * Ringside's default is generous (50 requests/s, bursts of 100): it stops a runaway loop, not a client.
 */

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: requests allowed at once after a quiet spell. */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 50, burst: 100 };

export type RateDecision = { ok: true } | { ok: false; resetAt: number };

export class AccountRateLimiter {
  readonly #options: RateLimitOptions;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: RateLimitOptions = DEFAULT_RATE_LIMIT) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new Error('rate limit: perSecond > 0 and burst >= 1');
    this.#options = options;
  }

  /** Takes one token for `accountId`; when none is left, the epoch ms at which one will be. */
  take(accountId: string, now = Date.now()): RateDecision {
    const { perSecond, burst } = this.#options;
    const b = this.#buckets.get(accountId) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.#buckets.set(accountId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, resetAt: Math.ceil(now + ((1 - b.tokens) / perSecond) * 1000) };
  }
}
