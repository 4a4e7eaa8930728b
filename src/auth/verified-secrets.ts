/**
 * Secrets that passed the store's scrypt check, remembered as SHA-256 digests for a while. Clients of the
 * voice API send the same Basic `token:secret` on every request; scrypt (deliberately slow, ~35 ms of CPU)
 * per request capped the API at ~15 calls/s on two cores (docs/performance.md, "Voice API"). A remembered
 * secret is checked with one SHA-256 and a constant-time compare; the key names what was verified and its
 * stored hash, so a changed secret (new provisioning) is checked by scrypt again. Only digests are kept,
 * only of secrets that were right, bounded in number and age (docs/security.md).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class VerifiedSecrets {
  readonly #entries = new Map<string, { digest: Buffer; until: number }>();

  constructor(
    readonly ttlMs = 10 * 60_000,
    readonly maxEntries = 10_000,
  ) {}

  /** The secret was verified for `key` within the last `ttlMs`. */
  known(key: string, secret: string, now = Date.now()): boolean {
    const e = this.#entries.get(key);
    if (!e) return false;
    if (e.until <= now) {
      this.#entries.delete(key);
      return false;
    }
    return timingSafeEqual(e.digest, digest(secret));
  }

  remember(key: string, secret: string, now = Date.now()): void {
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(key)) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { digest: digest(secret), until: now + this.ttlMs });
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
