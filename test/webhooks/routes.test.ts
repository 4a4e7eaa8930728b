/**
 * REST for webhook subscriptions, dead letters and event history (incl. SSE), over a real HTTP server with
 * a real store, event log, outbox and delivery engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/api/http-server.js';
import { adminApi } from '../../src/api/admin/admin-api.js';
import type { EventStreamOptions } from '../../src/api/admin/event-history-routes.js';
import { parseConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/log/logger.js';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { WebhookEngine } from '../../src/delivery/webhooks/webhook-engine.js';
import { FAST, Receiver, sleep, tempDir, wireEvent } from './support.js';
import { checkRequestsAgainstDocument } from '../../src/api/openapi/documented-requests.js';

const CONFIG = `
accounts:
  - id: acme
    name: Acme
    users:
      - { id: 11, name: Ada, email: ada@acme.test, password: ada-pass-1, role: admin, pin: "1111" }
      - { id: 12, name: Bo, email: bo@acme.test, password: bo-pass-12, role: user, pin: "1212" }
      - { id: 13, name: Cy, email: cy@acme.test, password: cy-pass-13, role: manager, pin: "1313", ownRecordsOnly: true }
    apiCredentials:
      - { token: acme-api-token, secret: acme-api-secret }
    webhooks:
      - { id: from-config, url: "http://127.0.0.1:9/config", dialect: teltel, secret: config-secret-1 }
  - id: other
    name: Other
    users:
      - { id: 21, name: Oz, email: oz@other.test, password: oz-pass-21, role: admin, pin: "2121" }
`;

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const ADA = basic('ada@acme.test', 'ada-pass-1');
const BO = basic('bo@acme.test', 'bo-pass-12');
const CY = basic('cy@acme.test', 'cy-pass-13');
const OZ = basic('oz@other.test', 'oz-pass-21');
const API = basic('acme-api-token', 'acme-api-secret');

interface Api {
  app: FastifyInstance;
  log: SqliteEventLog;
  engine: WebhookEngine;
  base: string;
  call(method: string, path: string, auth?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** The accepted requests checked against the OpenAPI document, as `METHOD /path/{template}`. */
  documented: string[];
}

async function api(t: { after(fn: () => unknown): void }, history: EventStreamOptions = {}): Promise<Api> {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG));
  const log = new SqliteEventLog(join(dir, 'events.db'));
  const outbox = new SqliteOutbox(join(dir, 'ringside.db'));
  const engine = new WebhookEngine({ events: log, store, outbox, ...FAST });
  await engine.start();
  const app = createHttpServer({ logger: silentLogger() });
  // The admin family alone, as api/index.ts mounts it (health's open-session count is not under test here).
  await app.register(adminApi, { store, events: log, recorder: { openSessions: 0 }, webhooks: engine, eventStream: { keepAliveMs: 100, ...history } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // Every request the family accepts must be one the OpenAPI document describes (docs/api-reference.md).
  const { requests: documented } = await checkRequestsAgainstDocument(t, () => base);
  t.after(async () => {
    await app.close();
    await engine.stop();
    await outbox.close();
    await log.close();
    await store.close();
  });
  return {
    app,
    log,
    engine,
    base,
    documented,
    async call(method, path, auth, body) {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = auth;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
  };
}

test('authentication, elevated role and account isolation', async (t) => {
  const a = await api(t);
  const none = await a.call('GET', '/webhooks');
  assert.equal(none.status, 401);
  assert.equal(none.json.success, false);
  assert.equal(none.json.error, 'not_authenticated');
  const wrong = await a.call('GET', '/webhooks', basic('ada@acme.test', 'nope'));
  assert.equal(wrong.status, 401);
  for (const who of [BO, CY]) {
    const r = await a.call('GET', '/webhooks', who);
    assert.equal(r.status, 403);
    assert.equal(r.json.error, 'forbidden');
    assert.match(String(r.json.message), /manager or admin/);
  }
  // Even with a bad body, an unauthorised caller gets 401/403, not a schema hint.
  assert.equal((await a.call('POST', '/webhooks', BO, { nonsense: true })).status, 403);
  assert.equal((await a.call('GET', '/webhooks', API)).status, 200, 'voice-API credentials are account-wide');
  const mine = await a.call('GET', '/webhooks', ADA);
  assert.deepEqual((mine.json.webhooks as { id: string }[]).map((w) => w.id), ['from-config']);
  const theirs = await a.call('GET', '/webhooks', OZ);
  assert.deepEqual(theirs.json.webhooks, []);
  assert.equal((await a.call('GET', '/webhooks/from-config', OZ)).status, 404, 'another account cannot see it');
  assert.equal((await a.call('POST', '/webhooks/from-config/ping', OZ)).status, 404);
});

test('subscription CRUD; config-sourced ones are read-only; secrets never shown', async (t) => {
  const a = await api(t);
  const cfg = await a.call('GET', '/webhooks/from-config', ADA);
  assert.deepEqual(cfg.json.webhook, { id: 'from-config', url: 'http://127.0.0.1:9/config', dialect: 'teltel', method: 'POST', events: [], hasSecret: true, source: 'config' });
  for (const [m, body] of [['PUT', { url: 'http://x.test/', dialect: 'teltel' }], ['DELETE', undefined]] as const) {
    const r = await a.call(m, '/webhooks/from-config', ADA, body);
    assert.equal(r.status, 409, m);
    assert.equal(r.json.error, 'read_only');
    assert.match(String(r.json.message), /configuration file/);
  }
  const created = await a.call('POST', '/webhooks', ADA, { id: 'crm', url: 'https://user:pw@crm.test/hook', dialect: 'teltel', events: ['START', 'COMPLETED'], secret: 'crm-secret-1' });
  assert.equal(created.status, 201);
  assert.deepEqual(created.json.webhook, { id: 'crm', url: 'https://***:***@crm.test/hook', dialect: 'teltel', method: 'POST', events: ['START', 'COMPLETED'], hasSecret: true, source: 'api' });
  const generated = await a.call('POST', '/webhooks', API, { url: 'http://h.test/cb', dialect: 'bandwidth', method: 'GET' });
  assert.equal(generated.status, 201);
  const genId = (generated.json.webhook as { id: string }).id;
  assert.match(genId, /^wh-[0-9a-f]{12}$/);
  const dup = await a.call('POST', '/webhooks', ADA, { id: 'from-config', url: 'http://h.test/', dialect: 'teltel' });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error, 'conflict');
  const updated = await a.call('PUT', '/webhooks/crm', ADA, { url: 'https://crm.test/v2', fallbackUrl: 'https://backup.crm.test/', dialect: 'teltel' });
  assert.equal(updated.status, 200);
  assert.deepEqual(updated.json.webhook, { id: 'crm', url: 'https://crm.test/v2', fallbackUrl: 'https://backup.crm.test/', dialect: 'teltel', method: 'POST', events: [], hasSecret: false, source: 'api' });
  assert.equal((await a.call('PUT', '/webhooks/missing', ADA, { url: 'https://crm.test/', dialect: 'teltel' })).status, 404);
  const list = await a.call('GET', '/webhooks', ADA);
  assert.deepEqual((list.json.webhooks as { id: string }[]).map((w) => w.id).sort(), ['crm', 'from-config', genId].sort());
  const del = await a.call('DELETE', '/webhooks/crm', ADA);
  assert.deepEqual(del.json, { success: true, deleted: 'crm', purgedEvents: 0 });
  assert.equal((await a.call('GET', '/webhooks/crm', ADA)).status, 404);
  assert.equal((await a.call('DELETE', '/webhooks/crm', ADA)).status, 404);
  assert.equal((await a.call('DELETE', `/webhooks/${genId}`, OZ)).status, 404, 'another account cannot delete it');
  for (const op of ['GET /webhooks/{id}', 'POST /webhooks', 'PUT /webhooks/{id}', 'GET /webhooks', 'DELETE /webhooks/{id}']) assert.ok(a.documented.includes(op), `${op}: accepted, and as the OpenAPI document describes it`);
});

test('bad bodies get precise 400s', async (t) => {
  const a = await api(t);
  const cases: [unknown, RegExp][] = [
    [{ dialect: 'teltel' }, /^body: missing required property 'url'$/],
    [{ url: 'http://h.test/', dialect: 'teltel', colour: 'red' }, /^body: unknown property 'colour'$/],
    [{ url: 'http://h.test/', dialect: 'sip' }, /^body\.dialect must be one of "realtime", "teltel", "bandwidth"$/],
    [{ url: 'ftp://h.test/', dialect: 'teltel' }, /^body\.url must be an http\(s\) URL$/],
    [{ url: 'not a url', dialect: 'teltel' }, /^body\.url must be an http\(s\) URL$/],
    [{ url: 'http://h.test/', fallbackUrl: 'http://bad host/', dialect: 'teltel' }, /^body\.fallbackUrl must be a valid uri$/],
    [{ url: 'http://h.test/', dialect: 'teltel', secret: 'short' }, /^body\.secret must NOT have fewer than 8 characters$/],
    [{ url: 'http://h.test/', dialect: 'teltel', method: 'PATCH' }, /^body\.method must be one of "POST", "GET"$/],
    [{ url: 'http://h.test/', dialect: 'teltel', events: 'START' }, /^body\.events must be array$/],
    [{ url: 'http://h.test/', dialect: 'teltel', id: 'bad id!' }, /^body\.id must match/],
    ['{"url": ', /JSON/i],
  ];
  for (const [body, message] of cases) {
    const r = await a.call('POST', '/webhooks', ADA, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.success, false);
    // Unparseable JSON is rejected by fastify's parser before validation (error code from http-server.ts).
    assert.equal(r.json.error, typeof body === 'string' ? 'bad_json' : 'bad_request', JSON.stringify(r.json));
    assert.match(String(r.json.message), message);
  }
  const unknownEvent = await a.call('POST', '/webhooks', ADA, { url: 'http://h.test/', dialect: 'teltel', events: ['START', 'HANGUP'] });
  assert.equal(unknownEvent.status, 400);
  assert.deepEqual(unknownEvent.json, { success: false, error: 'unknown_event', message: "body.events: 'HANGUP' is not a teltel event name" });
  await a.call('POST', '/webhooks', ADA, { id: 'x1', url: 'http://h.test/', dialect: 'teltel' });
  const mismatch = await a.call('PUT', '/webhooks/x1', ADA, { id: 'x2', url: 'http://h.test/', dialect: 'teltel' });
  assert.equal(mismatch.status, 400);
  assert.match(String(mismatch.json.message), /does not match/);
  const badId = await a.call('POST', '/webhooks/dead-letters/abc/replay', ADA);
  assert.equal(badId.status, 400);
  assert.match(String(badId.json.message), /^params\.id must be integer$/);
});

test('ping reports the receiver status; dead letters listed and replayed over REST', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (r.headers['x-ringside-event'] === 'ping' ? { status: 202 } : { status: 410 });
  const a = await api(t);
  await a.call('POST', '/webhooks', ADA, { id: 'rx', url: rx.url('/in'), dialect: 'teltel', secret: 'rx-secret-12' });
  const ping = await a.call('POST', '/webhooks/rx/ping', ADA);
  assert.equal(ping.status, 200);
  assert.equal(ping.json.delivered, true);
  assert.deepEqual({ ...(ping.json.primary as object), durationMs: 0 }, { url: rx.url('/in'), ok: true, status: 202, durationMs: 0 });
  assert.ok(rx.requests[0]!.headers['x-ringside-signature']);

  await a.log.append({ facts: [], events: [wireEvent('d1', 0), wireEvent('d1', 1), wireEvent('d2', 0, { accountId: 'other' })] });
  let dead: { id: number; eventId: string; attempts: number; lastStatus: number; payload: { seq: number } }[] = [];
  for (let i = 0; i < 200 && dead.length < 2; i++) {
    await sleep(20);
    dead = (await a.call('GET', '/webhooks/dead-letters', ADA)).json.deadLetters as typeof dead;
  }
  assert.deepEqual(dead.map((d) => [d.eventId, d.attempts, d.lastStatus, d.payload.seq]), [['d1-teltel-0', 1, 410, 0], ['d1-teltel-1', 1, 410, 1]]);
  assert.deepEqual((await a.call('GET', '/webhooks/dead-letters', OZ)).json.deadLetters, [], 'account-scoped');
  assert.equal((await a.call('POST', `/webhooks/dead-letters/${dead[0]!.id}/replay`, OZ)).status, 404, 'another account cannot replay');
  const page = await a.call('GET', '/webhooks/dead-letters?limit=1&webhook_id=rx', ADA);
  assert.equal((page.json.deadLetters as unknown[]).length, 1);
  assert.equal(page.json.more, true);
  rx.behaviour = () => undefined;
  const one = await a.call('POST', `/webhooks/dead-letters/${dead[0]!.id}/replay`, ADA);
  assert.equal(one.status, 200);
  assert.equal(one.json.replayed, 1);
  await rx.waitFor(() => rx.acked.some((r) => r.eventId === 'd1-teltel-0'), 5000, 'replayed event');
  const all = await a.call('POST', '/webhooks/dead-letters/replay?webhook_id=rx', ADA);
  assert.equal(all.json.replayed, 1);
  await rx.waitFor(() => rx.acked.some((r) => r.eventId === 'd1-teltel-1'), 5000, 'replay-all');
  assert.equal((await a.call('POST', `/webhooks/dead-letters/${dead[0]!.id}/replay`, ADA)).status, 404, 'no longer a dead letter');
  assert.deepEqual((await a.call('GET', '/webhooks/dead-letters', ADA)).json.deadLetters, []);
});

test('event history: paging by cursor, filters, account and user visibility, bad queries', async (t) => {
  const a = await api(t);
  const events = [];
  for (let seq = 0; seq < 12; seq++) {
    events.push(wireEvent('h1', seq, { userIds: seq % 3 === 0 ? ['12'] : [] }));
    events.push(wireEvent('h1', seq, { dialect: 'realtime', name: 'voice.incoming.start' }));
    events.push(wireEvent('h2', seq, { accountId: 'other' }));
  }
  await a.log.append({ facts: [], events });
  const seen: number[] = [];
  let after = 0;
  for (let pages = 0; ; pages++) {
    const r = await a.call('GET', `/events?dialect=teltel&after=${after}&limit=5`, ADA);
    assert.equal(r.status, 200);
    const list = r.json.events as { position: number; dialect: string; name: string; sessionId: string; payload: { seq: number } }[];
    for (const e of list) {
      assert.equal(e.dialect, 'teltel');
      assert.equal(e.sessionId, 'h1');
      seen.push(e.payload.seq);
    }
    after = r.json.next as number;
    if (!r.json.more) break;
    assert.ok(pages < 5);
  }
  assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i));
  const all = (await a.call('GET', '/events?limit=1000', API)).json.events as { position: number }[];
  assert.equal(all.length, 24, 'both dialects, own account only');
  assert.deepEqual(all.map((e) => e.position), [...all.map((e) => e.position)].sort((x, y) => x - y));
  const starts = (await a.call('GET', '/events?name=START,voice.incoming.start&session_id=h1', ADA)).json.events as { name: string }[];
  assert.deepEqual(starts.map((e) => e.name).sort(), ['START', ...Array(12).fill('voice.incoming.start')].sort());
  const other = (await a.call('GET', '/events', OZ)).json.events as { sessionId: string }[];
  assert.ok(other.length === 12 && other.every((e) => e.sessionId === 'h2'));
  const bo = (await a.call('GET', '/events', BO)).json.events as { payload: { seq: number } }[];
  assert.deepEqual(bo.map((e) => e.payload.seq), [0, 3, 6, 9], "a plain user sees only events of their own audience");
  assert.equal((await a.call('GET', '/events')).status, 401);
  for (const [q, msg] of [
    ['limit=0', /^querystring\.limit must be >= 1$/],
    ['after=-1', /^querystring\.after must be >= 0$/],
    ['dialect=sip', /^querystring\.dialect must be one of/],
    ['colour=red', /^querystring: unknown property 'colour'$/],
  ] as const) {
    const r = await a.call('GET', `/events?${q}`, ADA);
    assert.equal(r.status, 400, q);
    assert.match(String(r.json.message), msg);
  }
});

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, state: { text: string }, done: (text: string) => boolean, timeoutMs = 5000): Promise<void> {
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  while (!done(state.text)) {
    if (Date.now() > deadline) throw new Error(`SSE: timed out; got:\n${state.text.slice(-2000)}`);
    const { value, done: ended } = await reader.read();
    if (ended) throw new Error(`SSE ended early; got:\n${state.text}`);
    state.text += decoder.decode(value, { stream: true });
  }
}

function frames(text: string): { id?: string; event?: string; data?: string }[] {
  return text
    .split('\n\n')
    .filter((f) => f.includes('data:'))
    .map((f) => Object.fromEntries(f.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])));
}

test('SSE: backlog from a cursor, then live; Last-Event-ID resumes; keep-alive comments', async (t) => {
  const a = await api(t);
  await a.log.append({ facts: [], events: [wireEvent('s1', 0), wireEvent('s1', 1), wireEvent('s1', 0, { dialect: 'realtime', name: 'voice.incoming.start' }), wireEvent('x', 0, { accountId: 'other' })] });
  const ac = new AbortController();
  t.after(() => ac.abort());
  const res = await fetch(`${a.base}/events/stream?dialect=teltel&after=0`, { headers: { authorization: ADA }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const state = { text: '' };
  await readUntil(reader, state, (s) => frames(s).length === 2);
  const backlog = frames(state.text);
  assert.deepEqual(backlog.map((f) => f.event), ['START', 'RING']);
  assert.deepEqual(JSON.parse(backlog[0]!.data!).session_id, 's1');
  await a.log.append({ facts: [], events: [wireEvent('s1', 2), wireEvent('s9', 0, { accountId: 'other' }), wireEvent('s1', 3, { name: 'COMPLETED' })] });
  await readUntil(reader, state, (s) => frames(s).length === 4);
  const all = frames(state.text);
  assert.deepEqual(all.map((f) => f.event), ['START', 'RING', 'RING', 'COMPLETED']);
  const ids = all.map((f) => Number(f.id));
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'ids are increasing positions');
  await readUntil(reader, state, (s) => s.includes(': keep-alive'), 2000);
  ac.abort();

  const resumed = await fetch(`${a.base}/events/stream?dialect=teltel&after=0`, { headers: { authorization: ADA, 'last-event-id': String(ids[1]) } });
  const r2 = resumed.body!.getReader();
  const s2 = { text: '' };
  await readUntil(r2, s2, (s) => frames(s).length === 2);
  assert.deepEqual(frames(s2.text).map((f) => Number(f.id)), ids.slice(2), 'Last-Event-ID wins over after');
  await r2.cancel();

  const live = await fetch(`${a.base}/events/stream`, { headers: { authorization: ADA } });
  const r3 = live.body!.getReader();
  const s3 = { text: '' };
  await readUntil(r3, s3, (s) => s.includes('ringside event stream'));
  await a.log.append({ facts: [], events: [wireEvent('s5', 0)] });
  await readUntil(r3, s3, (s) => frames(s).length === 1);
  assert.equal(JSON.parse(frames(s3.text)[0]!.data!).session_id, 's5', 'without a cursor the stream starts live');
  await r3.cancel();

  const bad = await fetch(`${a.base}/events/stream`, { headers: { authorization: ADA, 'last-event-id': 'abc' } });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /Last-Event-ID 'abc'/);
  assert.equal((await fetch(`${a.base}/events/stream`)).status, 401);
});

test('SSE: a client that stops reading is disconnected with an error comment once its buffer overflows', async (t) => {
  const a = await api(t, { maxBufferBytes: 64 * 1024 });
  const url = new URL(`${a.base}/events/stream?dialect=teltel`);
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = httpGet(url, { headers: { authorization: ADA } }, resolve);
    req.on('error', reject);
    t.after(() => req.destroy());
  });
  res.pause();
  await sleep(100);
  const big = 'x'.repeat(8 * 1024);
  // Enough to fill the kernel's socket buffers on loopback and then the 64 KiB allowance.
  for (let i = 0; i < 8; i++) await a.log.append({ facts: [], events: Array.from({ length: 500 }, (_, j) => wireEvent('flood', i * 500 + j, { payload: { seq: i * 500 + j, big } })) });
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (text += c));
  res.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stream was not closed')), 10_000);
    res.on('end', () => (clearTimeout(timer), resolve()));
    res.on('close', () => (clearTimeout(timer), resolve()));
  });
  assert.match(text, /: error: client too slow, more than 65536 bytes buffered; reconnect with Last-Event-ID: \d+/);
  assert.ok(frames(text).length < 4000, 'closed before everything was sent');
});
