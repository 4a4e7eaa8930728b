import { randomHex } from '../../util/random-pool.js';
import { MAGIC_COOKIE } from './via.js';

/** A Via branch unique in space and time, starting with the RFC 3261 magic cookie (§8.1.1.7). */
export function newBranch(): string {
  return MAGIC_COOKIE + randomHex(10);
}

/** A From/To tag with at least 32 bits of randomness (§19.3). */
export function newTag(): string {
  return randomHex(6);
}

/** A Call-ID (§8.1.1.4): globally unique random word, optionally `@host`. */
export function newCallId(host?: string): string {
  const id = randomHex(12);
  return host ? `${id}@${host}` : id;
}
