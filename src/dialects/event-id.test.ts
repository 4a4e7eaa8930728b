import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { eventId } from './event-id.js';

/** The ids as the log has always stored them: version and variant bits set in the SHA-1 digest's bytes. */
function fromDigestBytes(sessionId: string, dialect: string, index: number): string {
  const h = createHash('sha1').update(`${dialect}\u0000${sessionId}\u0000${index}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

test('event ids are the ones already logged (a replay after an upgrade yields the same ids)', () => {
  assert.equal(eventId('ses_1', 'realtime', 0), 'df5fbdb8-65aa-5d26-9388-2db6450bd498');
  assert.equal(eventId('ses_1', 'teltel', 7), 'fd685950-7a68-5b1c-b93b-3331b3efa6e8');
  assert.equal(eventId('sess-ABC', 'bandwidth', 123456), '126bcbf7-a627-56c6-942c-c82b7e91f506');
  for (let i = 0; i < 2000; i++) {
    const session = `ses_${i.toString(36)}`;
    for (const dialect of ['realtime', 'teltel', 'bandwidth']) assert.equal(eventId(session, dialect, i % 97), fromDigestBytes(session, dialect, i % 97));
  }
});

test('event ids are UUIDs of version 5 and the RFC 4122 variant', () => {
  for (let i = 0; i < 200; i++) assert.match(eventId(`s${i}`, 'teltel', i), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
