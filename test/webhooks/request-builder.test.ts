import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest, canonicalQuery, queryValue, redact } from '../../src/delivery/webhooks/request-builder.js';
import { sign, verifySignature } from '../../src/delivery/webhooks/signature.js';
import { backoffDelay, classifyStatus, DEFAULT_RETRY, nextAttemptAt, parseRetryAfter } from '../../src/delivery/webhooks/retry-policy.js';

const event = { id: 'e-1', name: 'START', payload: '{"event":"START","session_id":"abc","n":1.5}' };
const opts = { timestamp: 1_700_000_000, attempt: 1, userAgent: 'Ringside/0.1.0' };

test('POST: body verbatim, JSON content type, generic and TelTel headers, signature', () => {
  const r = buildRequest({ url: 'https://u%40x:p%3Aw@example.test/hook#frag', method: 'POST', dialect: 'teltel', secret: 'secret-123' }, event, opts);
  assert.equal(r.url, 'https://example.test/hook');
  assert.equal(r.body, event.payload);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(r.headers['authorization'], 'Basic ' + Buffer.from('u@x:p:w').toString('base64'));
  const sig = sign('secret-123', opts.timestamp, event.payload);
  assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  assert.equal(r.headers['x-ringside-signature'], sig);
  assert.equal(r.headers['x-teltel-signature'], sig);
  assert.equal(r.headers['x-teltel-timestamp'], '1700000000');
  assert.equal(r.headers['x-ringside-event-id'], 'e-1');
  assert.equal(r.headers['user-agent'], 'Ringside/0.1.0');
  assert.equal(verifySignature('secret-123', sig, '1700000000', event.payload, 300, 1_700_000_100), true);
  assert.equal(verifySignature('secret-123', sig, '1700000000', event.payload, 300, 1_700_000_400), false, 'stale timestamp');
  assert.equal(verifySignature('other-secret', sig, '1700000000', event.payload, 300, 1_700_000_000), false);
});

test('GET: canonical sorted query, nested objects as JSON, no body; bandwidth User-Agent; no TelTel headers', () => {
  const e = { ...event, payload: JSON.stringify({ eventType: 'answer', to: '+1555', diversion: { reason: 'busy' }, tag: 'a b', empty: null, ok: true }) };
  const r = buildRequest({ url: 'http://h.test:8080/cb?z=1&a=2', method: 'GET', dialect: 'bandwidth', secret: 'secret-123' }, e, opts);
  assert.equal(r.body, undefined);
  assert.equal(r.url, 'http://h.test:8080/cb?a=2&diversion=%7B%22reason%22%3A%22busy%22%7D&empty=&eventType=answer&ok=true&tag=a%20b&to=%2B1555&z=1');
  assert.equal(r.signed, r.url.split('?')[1]);
  assert.equal(r.headers['x-ringside-signature'], sign('secret-123', opts.timestamp, r.signed));
  assert.equal(r.headers['user-agent'], 'BandwidthAPI/v1 (Ringside/0.1.0)');
  assert.equal(r.headers['x-teltel-event'], undefined);
  assert.equal(r.headers['content-type'], undefined);
  assert.equal(queryValue([1, 2]), '[1,2]');
  assert.equal(canonicalQuery([['b', '1'], ['a', '2'], ['a', '1']]), 'a=1&a=2&b=1');
});

test('bad URLs are permanent errors; redact hides credentials', () => {
  assert.throws(() => buildRequest({ url: 'ftp://x/', method: 'POST', dialect: 'teltel' }, event, opts), /not http/);
  assert.throws(() => buildRequest({ url: 'nope', method: 'POST', dialect: 'teltel' }, event, opts), /not a valid URL/);
  assert.equal(redact('https://user:pw@h.test/x'), 'https://***:***@h.test/x');
});

test('retry policy: classification, Retry-After forms, full-jitter backoff, give-up deadline', () => {
  assert.equal(classifyStatus(204, null, 0).kind, 'ok');
  for (const s of [408, 429, 500, 502, 503, 599]) assert.equal(classifyStatus(s, null, 0).kind, 'retryable', String(s));
  for (const s of [301, 400, 401, 403, 404, 410, 422]) assert.equal(classifyStatus(s, null, 0).kind, 'permanent', String(s));
  assert.deepEqual(classifyStatus(429, '7', 0), { kind: 'retryable', status: 429, error: 'HTTP 429', retryAfterMs: 7000 });
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(backoffDelay(1, DEFAULT_RETRY, () => 0.999), 999);
  assert.equal(backoffDelay(4, DEFAULT_RETRY, () => 0.5), 4000);
  assert.equal(backoffDelay(40, DEFAULT_RETRY, () => 1), 600_000, 'capped at 10 min');
  assert.equal(backoffDelay(3, DEFAULT_RETRY, () => 0), 0, 'full jitter starts at 0');
  const o = { ...DEFAULT_RETRY, giveUpAfterMs: 10_000 };
  assert.equal(nextAttemptAt(1, 0, 1000, undefined, o, () => 0.5), 1500);
  assert.equal(nextAttemptAt(1, 0, 1000, 5000, o, () => 0.5), 6000, 'Retry-After is a floor');
  assert.equal(nextAttemptAt(20, 0, 9000, undefined, o, () => 1), 10_000, 'last attempt at the deadline');
  assert.equal(nextAttemptAt(21, 0, 10_000, undefined, o, () => 1), undefined, 'then dead letter');
  assert.equal(nextAttemptAt(3, 0, 100, undefined, { ...o, maxAttempts: 3 }), undefined, 'maxAttempts');
});
