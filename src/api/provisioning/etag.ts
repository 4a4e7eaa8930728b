/**
 * Strong ETags for provisioning resources (RFC 9110 §8.8.3) and the If-Match check (§13.1.1). The tag is
 * a hash of the stored record, so any change — a new password hash included, though the view never shows
 * it — gives a new tag; the hash reveals nothing of the record.
 */
import { createHash } from 'node:crypto';

export function etagOf(record: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(record)).digest('base64url').slice(0, 27)}"`;
}

/** Whether an `If-Match` header (absent: always) matches `record`: `*`, or one of its strong tags equal
 *  to the record's (a weak `W/` tag never matches: strong comparison). */
export function ifMatches(header: string | undefined, record: unknown): boolean {
  if (header === undefined) return true;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return true;
  const tag = etagOf(record);
  return tags.includes(tag);
}
