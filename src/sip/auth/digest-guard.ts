import type { Clock } from '../transaction/clock.js';
import { systemClock } from '../transaction/clock.js';
import { FailureRateLimiter } from './failure-rate-limiter.js';

/** How many wrong digests are checked before refusing (docs/security.md, "SIP digest"). */
export interface DigestLimits {
  /** Failed attempts from one source address per window (default 10). */
  maxFailuresPerSource: number;
  /** Failed attempts against one username per window, from all sources together (default 20). */
  maxFailuresPerUser: number;
  /** The fixed window both counts live in (default 60 s). */
  windowMs: number;
  /** A source that authenticated as a user stays exempt from that user's lock this long (default 24 h),
   *  so an attacker locking a username does not lock its owner's phones out. */
  trustedSourceMs: number;
  /** Entries per table (sources, users, trusted pairs); the oldest are evicted first (default 10 000). */
  maxEntries: number;
}

export const DEFAULT_DIGEST_LIMITS: DigestLimits = {
  maxFailuresPerSource: 10,
  maxFailuresPerUser: 20,
  windowMs: 60_000,
  trustedSourceMs: 24 * 3600_000,
  maxEntries: 10_000,
};

/** Usernames come from the request: capped so a key never grows with the attacker's input. */
const userKey = (username: string): string => username.slice(0, 128);

/**
 * Failure limits of digest authentication, per source address and per username (RFC 3261 §22 leaves
 * brute-force defence to the server). One guard is shared by every authenticator that checks the same
 * credentials (REGISTER, INVITE and MESSAGE): guessing through three methods gets no more tries than one.
 * While a source or a username is locked, its requests get 403 with no new challenge and no password is
 * checked, so a correct guess is indistinguishable from a wrong one until the window passes.
 */
export class DigestGuard {
  readonly limits: DigestLimits;
  readonly #clock: Clock;
  readonly #sources: FailureRateLimiter;
  readonly #users: FailureRateLimiter;
  /** `username\0source` → when the exemption ends; insertion order is refresh order (oldest first). */
  readonly #trusted = new Map<string, number>();

  constructor(limits: Partial<DigestLimits> = {}, clock: Clock = systemClock) {
    this.limits = { ...DEFAULT_DIGEST_LIMITS, ...limits };
    this.#clock = clock;
    const { windowMs, maxEntries } = this.limits;
    this.#sources = new FailureRateLimiter({ maxFailures: this.limits.maxFailuresPerSource, windowMs, clock, maxEntries });
    this.#users = new FailureRateLimiter({ maxFailures: this.limits.maxFailuresPerUser, windowMs, clock, maxEntries });
  }

  sourceBlocked(source: string): boolean {
    return this.#sources.isBlocked(source);
  }

  /** The username is locked, unless this source proved it is the user's recently. */
  userBlocked(username: string, source: string): boolean {
    return this.#users.isBlocked(userKey(username)) && !this.#isTrusted(username, source);
  }

  /** A wrong digest (or an unknown username: counted the same, so a lock reveals no user's existence). */
  failed(source: string, username?: string): void {
    this.#sources.recordFailure(source);
    // A trusted source's mistakes (a phone with a changed password) count against the source only.
    if (username !== undefined && !this.#isTrusted(username, source)) this.#users.recordFailure(userKey(username));
  }

  /** A correct digest: the source's count is cleared and it is trusted for this user. The user's count
   *  stays, or a distributed guesser could clear it by authenticating as itself somewhere. */
  succeeded(source: string, username: string): void {
    this.#sources.reset(source);
    const key = `${userKey(username)}\0${source}`;
    this.#trusted.delete(key);
    if (this.#trusted.size >= this.limits.maxEntries) {
      const oldest = this.#trusted.keys().next().value;
      if (oldest !== undefined) this.#trusted.delete(oldest);
    }
    this.#trusted.set(key, this.#clock.now() + this.limits.trustedSourceMs);
  }

  #isTrusted(username: string, source: string): boolean {
    const key = `${userKey(username)}\0${source}`;
    const until = this.#trusted.get(key);
    if (until === undefined) return false;
    if (until > this.#clock.now()) return true;
    this.#trusted.delete(key);
    return false;
  }

  /**
   * The guard shared by every authenticator verifying against `lookup` (the SIP service registers one per
   * credential store; the switch's INVITE check and MESSAGE find it through the same lookup function).
   */
  static share(lookup: object, guard: DigestGuard): void {
    shared.set(lookup, guard);
  }

  static sharedFor(lookup: object): DigestGuard | undefined {
    return shared.get(lookup);
  }
}

const shared = new WeakMap<object, DigestGuard>();
