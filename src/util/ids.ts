import { randomHex, randomView } from './random-pool.js';

let counter = 0;

/** Session id: 32 hex characters (realtime `trackingId` is a hex string, spec realtime §4.1). */
export function newSessionId(): string {
  return randomHex(16);
}

/** Report/call id in the opaque dotted form the realtime docs show for `uniqueId` (`10.783465762.323991`):
 *  `<unix seconds>.<process-unique counter>.<random>`. */
export function newCallId(now = Date.now()): string {
  counter = (counter + 1) % 1_000_000;
  return `${Math.floor(now / 1000)}.${counter}.${randomView(3).readUIntBE(0, 3) % 1_000_000}`;
}

/** Prefixed opaque id, for ids the voice API shows with a prefix (`c-…`, `rec-…`, `conf-…`). */
export function newPrefixedId(prefix: string): string {
  return `${prefix}-${randomView(9).toString('base64url').toLowerCase().replace(/[-_]/g, '0')}`;
}
