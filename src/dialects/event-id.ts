import { createHash } from 'node:crypto';

/**
 * Deterministic event id: a UUID (version 5 layout) derived from the session, the dialect and the
 * event's index within that session's stream of that dialect. Replaying the same facts yields the same
 * ids, so consumers can deduplicate on them across redelivery (teltel §1: "consumers deduplicate on id").
 */
export function eventId(sessionId: string, dialect: string, index: number): string {
  const h = createHash('sha1').update(`${dialect}\u0000${sessionId}\u0000${index}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
