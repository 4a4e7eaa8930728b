/**
 * Webhook signatures (spec teltel §1, proposal adopted for every dialect; docs/webhooks.md):
 * `sha256=<hex HMAC-SHA256(secret, timestamp + "." + signed)>`, where `signed` is the request body for
 * POST and the query string exactly as sent (without `?`) for GET.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function sign(secret: string, timestamp: number, signed: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${signed}`).digest('hex');
}

/** What a receiver does (also the reference for docs/webhooks.md): constant-time compare, and a
 *  tolerance on the timestamp so a captured request cannot be replayed later. */
export function verifySignature(secret: string, header: string | undefined, timestamp: string | undefined, signed: string, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (!header || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, Number(timestamp), signed));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
