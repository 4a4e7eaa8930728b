/**
 * When to retry a webhook and how long to wait (docs/webhooks.md, "Retries").
 *
 * Retryable: network errors, timeouts, 408, 429 and 5xx (spec teltel §1 proposal). Any other status outside
 * 2xx — other 4xx, and 3xx since redirects are not followed — is permanent. Waits are exponential with full
 * jitter (uniform in [0, min(max, initial × factor^(n-1))]); a `Retry-After` answer (seconds or HTTP date)
 * is a floor for the wait. Retries stop once `giveUpAfterMs` has passed since the first attempt (or after
 * `maxAttempts`), and the event becomes a dead letter.
 */

export interface RetryOptions {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 10 * 60_000,
  giveUpAfterMs: 24 * 3600_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** What one HTTP exchange came to. */
export type AttemptOutcome =
  | { kind: 'ok'; status: number }
  | { kind: 'retryable'; status?: number; error: string; retryAfterMs?: number }
  | { kind: 'permanent'; status?: number; error: string };

export function classifyStatus(status: number, retryAfter: string | null, now: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  if (status === 408 || status === 429 || status >= 500) {
    const o: AttemptOutcome = { kind: 'retryable', status, error: `HTTP ${status}` };
    const ra = parseRetryAfter(retryAfter, now);
    if (ra !== undefined) o.retryAfterMs = ra;
    return o;
  }
  return { kind: 'permanent', status, error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Full-jitter exponential backoff for the wait after failed attempt number `attempt` (1-based). */
export function backoffDelay(attempt: number, o: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.factor, Math.max(0, attempt - 1)));
  return Math.floor(random() * ceiling);
}

/**
 * The next attempt time after a retryable failure, or undefined when the event should become a dead
 * letter. The last attempt happens at the give-up deadline at the latest.
 */
export function nextAttemptAt(attempt: number, firstAttemptAt: number, now: number, retryAfterMs: number | undefined, o: RetryOptions, random?: () => number): number | undefined {
  if (attempt >= o.maxAttempts) return undefined;
  const deadline = firstAttemptAt + o.giveUpAfterMs;
  if (now >= deadline) return undefined;
  const wait = Math.max(backoffDelay(attempt, o, random), retryAfterMs ?? 0);
  return Math.min(now + wait, deadline);
}
