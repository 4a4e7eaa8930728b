/**
 * The voice API's messages (spec bandwidth §3.10, §0 array form): the REST layer over the real texts engine
 * (MessagingService with the real SQLite store and MMS media store). The carrier is a recording double
 * (`RecordingCarrier`): the real one is SIP MESSAGE over a trunk, driven end to end in
 * test/voice/voice-messages.test.ts; here the double shows exactly what the engine was asked to send.
 * Media URLs are fetched from a real HTTP server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { MessagingService, type TextCarrier } from '../../messaging/messaging-service.js';
import { MmsMediaStore } from '../../messaging/mms-media-store.js';
import { silentLogger } from '../../log/logger.js';
import type { Fact, MessageFact } from '../../events/model/facts.js';
import { harness, providerError, OTHER } from './voice-test-harness.js';

type Sent = Parameters<TextCarrier['send']>[0];

class RecordingCarrier implements TextCarrier {
  readonly sent: Sent[] = [];
  /** Numbers the carrier refuses. */
  readonly refuses = new Set<string>();
  async send(text: Sent): Promise<void> {
    if (this.refuses.has(text.to)) throw new Error('SIP 488 Not Acceptable Here');
    this.sent.push(text);
  }
}

async function setup(t: { after(fn: () => unknown): void }) {
  const carrier = new RecordingCarrier();
  const facts: Fact[] = [];
  const h = await harness(t, {
    messaging: (store, dir) =>
      new MessagingService({ store, facts: { record: async (...f: Fact[]) => void facts.push(...f) }, media: new MmsMediaStore(join(dir, 'media')), carrier, logger: silentLogger() }),
  });
  const messageFacts = () => facts.filter((f): f is MessageFact => f.type.startsWith('message.'));
  return { h, carrier, messageFacts };
}

async function mediaServer(t: { after(fn: () => unknown): void }): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/cat.png') {
      if (req.headers.authorization !== 'Basic ' + Buffer.from('me:s3cret').toString('base64')) return res.writeHead(401).end();
      return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('PNGDATA'));
    }
    if (req.url === '/big.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(5 * 1024 * 1024 + 1));
    if (req.url === '/chunked.png') {
      // No Content-Length: the size is only known while reading.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(Buffer.alloc(3 * 1024 * 1024));
      return res.end(Buffer.alloc(3 * 1024 * 1024));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

test('POST /messages: 201, Location whose last segment GET takes; the text goes to the carrier; the resource in the provider fields', async (t) => {
  const { h, carrier, messageFacts } = await setup(t);
  const made = await h.acme('POST', '/messages', {
    from: '+15550101', to: '+14045550111', text: 'Your order shipped', receiptRequested: 'ALL', tag: 'order-7781',
    callbackUrl: 'https://app.test/sms', callbackHttpMethod: 'get', callbackTimeout: '2500', fallbackUrl: 'https://fb.test/sms',
  });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.text, '');
  const location = made.headers.get('location')!;
  assert.match(location, new RegExp(`^${h.base}/v1/users/u-acme/messages/[0-9]+\\.[0-9]+\\.[0-9]+$`), 'the engine id (its report id)');
  const id = location.split('/').pop()!;
  assert.deepEqual(carrier.sent.map((s) => [s.from, s.to, s.body, s.parts.length]), [['+15550101', '+14045550111', 'Your order shipped', 0]]);

  const got = await h.call('GET', new URL(location).pathname);
  assert.equal(got.status, 200);
  const m = got.json as Record<string, unknown>;
  assert.match(String(m.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(m, {
    id, messageId: id, from: '+15550101', to: '+14045550111', direction: 'out', text: 'Your order shipped', media: [], state: 'sent', time: m.time,
    callbackUrl: 'https://app.test/sms', callbackHttpMethod: 'GET', callbackTimeout: 2500, fallbackUrl: 'https://fb.test/sms',
    receiptRequested: 'all', tag: 'order-7781', segmentCount: 1,
  });
  // The fact the sms callback is made of: the voice user, the tag, no application (+15550101 has none).
  const [fact] = messageFacts();
  assert.equal(fact?.type, 'message.sent');
  assert.equal(fact?.messageId, id);
  assert.deepEqual(fact?.application, { userId: 'u-acme', tag: 'order-7781' });

  // From a number linked to an application, the fact names it (the event's applicationId).
  assert.equal((await h.acme('POST', '/messages', { from: '+15550100', to: '+14045550111', text: 'x' })).status, 201);
  assert.deepEqual(messageFacts()[1]?.application, { id: 'cfg-app', userId: 'u-acme' });
});

test('POST /messages refusals: from not owned, text over 2048, unknown field, fallback without callback, bad JSON, opted-out number', async (t) => {
  const { h, carrier } = await setup(t);
  const notOurs = providerError(await h.acme('POST', '/messages', { from: '+15550200', to: '+14045550111', text: 'x' }), 400, 'invalid-from-number');
  assert.deepEqual(notOurs.details, [{ name: 'from', value: '+15550200' }]);
  const long = providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', text: 'a'.repeat(2049) }), 400, 'validation-error');
  assert.equal(long.details[0]!.name, 'text');
  assert.equal((await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', text: 'a'.repeat(2048) })).status, 201, '2048 is allowed (the engine’s own 1600 is for its other APIs)');
  assert.deepEqual(providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', colour: 'red' }), 400, 'validation-error').details, [{ name: 'colour', value: 'red' }]);
  providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', text: 'x', fallbackUrl: 'https://fb.test/' }), 400, 'validation-error');
  assert.deepEqual(providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '4045550111', text: 'x' }), 400, 'validation-error').details, [{ name: 'to', value: '4045550111' }]);
  const empty = providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111' }), 400, 'empty-message');
  assert.deepEqual(empty.details, [{ name: 'text', value: '' }]);
  const bad = providerError(await h.call('POST', '/v1/users/u-acme/messages', { body: '{"from": "+15550101",' }), 400, 'validation-error');
  assert.equal(bad.details[0]!.name, 'body');
  providerError(await h.call('POST', '/v1/users/u-acme/messages', { body: '"hello"' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/messages', []), 400, 'validation-error');
  const many = providerError(await h.acme('POST', '/messages', Array.from({ length: 51 }, () => ({ from: '+15550101', to: '+14045550111', text: 'x' }))), 400, 'validation-error');
  assert.match(many.message, /50/);
  await h.store.addOptOut({ accountId: 'acme', number: '+14045550999', keyword: 'STOP', source: 'x', createdAt: 0 });
  const stop = providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550999', text: 'x' }), 403, 'opted-out');
  assert.deepEqual(stop.details, [{ name: 'to', value: '+14045550999' }]);
  providerError(await h.call('POST', '/v1/users/u-acme/messages', { auth: OTHER, body: { from: '+15550200', to: '+14045550111', text: 'x' } }), 403, 'access-denied');
  assert.equal(carrier.sent.length, 1, 'only the 2048-character text was sent');
});

test('the array form: 202, one result per item in order; a bad item refuses only itself', async (t) => {
  const { h, carrier } = await setup(t);
  const a = await h.acme('POST', '/messages', [
    { from: '+15550101', to: '+14045550111', text: 'one' },
    { from: '+15550200', to: '+14045550111', text: 'not our number' },
    { from: '+15550101', to: '+14045550112', text: 'a'.repeat(2049) },
    { from: '+15550101', to: '+14045550113', text: 'four', tag: 't4' },
  ]);
  assert.equal(a.status, 202, a.text);
  const items = a.json as Record<string, unknown>[];
  assert.equal(items.length, 4);
  assert.deepEqual(Object.keys(items[0]!), ['result', 'location']);
  assert.equal(items[0]!.result, 'accepted');
  assert.match(String(items[0]!.location), new RegExp(`^${h.base}/v1/users/u-acme/messages/[0-9.]+$`));
  assert.deepEqual(items[1], { result: 'error', error: { category: 'bad-request', code: 'invalid-from-number', message: "'from' +15550200 is not one of this account's numbers", details: [{ name: 'from', value: '+15550200' }] } });
  assert.equal(items[2]!.result, 'error');
  const e2 = items[2]!.error as { code: string; details: { name: string }[] };
  assert.equal(e2.code, 'validation-error');
  assert.equal(e2.details[0]!.name, 'text');
  assert.equal(items[3]!.result, 'accepted');
  assert.deepEqual(carrier.sent.map((s) => s.body), ['one', 'four'], 'sent in order, the refused ones not at all');
  const fourth = await h.call('GET', new URL(String(items[3]!.location)).pathname);
  assert.equal((fourth.json as { tag: string }).tag, 't4');
});

test('media URLs are fetched (URL credentials as Basic) and sent as an MMS; an unreachable or too large one is refused naming it', async (t) => {
  const { h, carrier } = await setup(t);
  const host = await mediaServer(t);
  const made = await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', text: 'look', media: [`http://me:s3cret@${host}/cat.png`] });
  assert.equal(made.status, 201, made.text);
  const part = carrier.sent[0]!.parts[0]!;
  assert.deepEqual([part.contentType, part.filename, part.data.toString()], ['image/png', 'cat.png', 'PNGDATA']);
  const m = (await h.call('GET', new URL(made.headers.get('location')!).pathname)).json as { media: string[] };
  assert.deepEqual(m.media, [`http://me:s3cret@${host}/cat.png`]);

  const missing = providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', media: [`http://${host}/cat.png`, `http://${host}/nothing.png`] }), 400, 'media-fetch-failed');
  assert.deepEqual(missing.details, [{ name: 'media[0]', value: `http://${host}/cat.png` }], 'the first one failing: 401 without credentials');
  assert.match(missing.message, /HTTP 401/);
  providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', media: [`http://${host}/big.png`] }), 400, 'media-too-large');
  providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', media: [`http://${host}/chunked.png`] }), 400, 'media-too-large');
  providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', media: ['http://127.0.0.1:9/x.png'] }), 400, 'media-fetch-failed');
  assert.equal(carrier.sent.length, 1);
});

test('a carrier refusal is a message in state error (201), with a message.failed fact', async (t) => {
  const { h, carrier, messageFacts } = await setup(t);
  carrier.refuses.add('+14045550111');
  const made = await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', text: 'x', callbackUrl: 'https://app.test/sms' });
  assert.equal(made.status, 201, made.text);
  const m = (await h.call('GET', new URL(made.headers.get('location')!).pathname)).json as Record<string, unknown>;
  assert.equal(m.state, 'error');
  assert.equal(m.deliveryState, 'not-delivered');
  assert.match(String(m.deliveryDescription), /488/);
  const [fact] = messageFacts();
  assert.equal(fact?.type, 'message.failed');
  assert.match(String(fact?.error), /488/);
});

test('GET /messages: newest first, Link paging, from/to filters; GET of an unknown or another account’s id is 404 message-not-found', async (t) => {
  const { h } = await setup(t);
  const ids: string[] = [];
  for (const to of ['+14045550111', '+14045550112', '+14045550111']) {
    const r = await h.acme('POST', '/messages', { from: '+15550101', to, text: `to ${to}` });
    ids.push(r.headers.get('location')!.split('/').pop()!);
    await new Promise((r) => setTimeout(r, 5));
  }
  const page = await h.acme('GET', '/messages?size=2');
  assert.deepEqual((page.json as { id: string }[]).map((m) => m.id), [ids[2], ids[1]]);
  assert.equal(page.headers.get('link'), `<${h.base}/v1/users/u-acme/messages?size=2&page=1>; rel="next"`);
  const last = await h.acme('GET', '/messages?size=2&page=1');
  assert.deepEqual((last.json as { id: string }[]).map((m) => m.id), [ids[0]]);
  assert.equal(last.headers.get('link'), null);
  const to = await h.acme('GET', '/messages?to=%2B14045550111&sortOrder=asc');
  assert.deepEqual((to.json as { id: string }[]).map((m) => m.id), [ids[0], ids[2]]);
  assert.deepEqual((await h.acme('GET', '/messages?from=%2B15550100')).json, []);
  providerError(await h.acme('GET', '/messages/1.2.3'), 404, 'message-not-found');
  providerError(await h.call('GET', `/v1/users/u-other/messages/${ids[0]}`, { auth: OTHER }), 404, 'message-not-found');
});

test('without the texts engine, sending answers 503 unavailable', async (t) => {
  const h = await harness(t);
  providerError(await h.acme('POST', '/messages', { from: '+15550101', to: '+14045550111', text: 'x' }), 503, 'unavailable');
  assert.deepEqual((await h.acme('GET', '/messages')).json, []);
});

test("an MMS part is served at its media URL (/media/{messageId}-{filename}) to its account only", async (t) => {
  const carrier = new RecordingCarrier();
  const h = await harness(t, {
    messaging: (store, dir) => new MessagingService({ store, facts: { record: async () => undefined }, media: new MmsMediaStore(join(dir, 'media')), carrier, logger: silentLogger() }),
    mmsMedia: (dir) => new MmsMediaStore(join(dir, 'media')),
  });
  const host = await mediaServer(t);
  const made = await h.acme('POST', '/messages', { from: '+15550100', to: '+15557654321', text: 'a cat', media: [`http://me:s3cret@${host}/cat.png`] });
  assert.equal(made.status, 201, made.text);
  const id = made.headers.get('location')!.split('/').pop()!;
  const entry = await h.store.getReportEntry('acme', id);
  assert.ok(entry?.kind === 'message' && entry.message.components.length === 1);
  const filename = entry.message.components[0]!.filename;
  const part = await h.acme('GET', `/media/${encodeURIComponent(`${id}-${filename}`)}`);
  assert.equal(part.status, 200);
  assert.equal(part.headers.get('content-type'), 'image/png');
  assert.equal(part.text, 'PNGDATA');
  providerError(await h.acme('GET', `/media/${encodeURIComponent(`${id}-nope.png`)}`), 404, 'media-not-found');
  providerError(await h.call('GET', `/v1/users/u-other/media/${encodeURIComponent(`${id}-${filename}`)}`, { auth: OTHER }), 404, 'media-not-found');
});
