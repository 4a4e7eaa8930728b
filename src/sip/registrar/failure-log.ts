/**
 * REGISTER refusals as log lines an operator can act on: one structured warning per refusal naming the AOR,
 * the source address, the reason and the status sent — never a password or digest response. A scanner
 * trying passwords would write thousands of lines, so each (source, reason) logs at most once per window;
 * the next line after a quiet window says how many were suppressed.
 */
import type { Logger } from 'pino';
import type { Clock } from '../transaction/clock.js';

export interface RegisterRefusal {
  aor: string;
  source: { host: string; port: number; transport?: string };
  /** Why: `wrong-credentials`, `unknown-user`, `stale-replay`, `rate-limited`, `aor-mismatch`, ... */
  reason: string;
  status: number;
  /** The digest user name tried, when the request had credentials (it is not secret). */
  username?: string;
}

export class RegisterFailureLog {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(log: Logger, clock: Clock, windowMs = 10_000) {
    this.#log = log;
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  refused(r: RegisterRefusal): void {
    const now = this.#clock.now();
    const key = `${r.source.host}\u0000${r.reason}`;
    const prev = this.#last.get(key);
    if (prev && now - prev.at < this.#windowMs) {
      prev.suppressed++;
      return;
    }
    if (this.#last.size > 10_000) this.#last.clear();
    this.#last.set(key, { at: now, suppressed: 0 });
    this.#log.warn({ aor: r.aor, source: `${r.source.host}:${r.source.port}`, ...(r.source.transport ? { transport: r.source.transport } : {}), reason: r.reason, status: r.status, ...(r.username !== undefined ? { username: r.username } : {}), ...(prev?.suppressed ? { suppressedSinceLast: prev.suppressed } : {}) }, 'sip registration refused');
  }
}
