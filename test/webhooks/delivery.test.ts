/**
 * The webhook delivery engine against a real HTTP receiver on loopback, fed by a real event log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { WebhookEngine } from '../../src/delivery/webhooks/webhook-engine.js';
import { FAST, harness, Receiver, sequencesBySession, seqOf, sleep, wireEvent } from './support.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function assertInOrder(seqs: Map<string, number[]>, perSession: number, label: string) {
  for (const [session, list] of seqs) assert.deepEqual(list, range(perSession), `${label}: session ${session} in order, each once`);
}

test('every event arrives once, in order per session, with sessions delivered concurrently', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ delayMs: 15 });
  const h = await harness(t);
  await h.hook({ url: rx.url() });
  const sessions = range(12).map((i) => `sess${i}`);
  // Interleaved appends, as concurrent calls would produce them.
  for (let seq = 0; seq < 8; seq++) await h.append(sessions.map((s) => wireEvent(s, seq)));
  await rx.waitFor(() => rx.acked.length === 96, 15_000, '96 events');
  await sleep(100);
  assert.equal(rx.requests.length, 96, 'nothing sent twice');
  assertInOrder(sequencesBySession(rx.acked), 8, 'acked');
  assert.ok(rx.maxActive > 1, `sessions in parallel (max ${rx.maxActive} concurrent)`);
  assert.ok(rx.maxActive <= 8, `bounded per origin (max ${rx.maxActive})`);
  const first = rx.acked[0]!;
  assert.equal(first.method, 'POST');
  assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
  const logged = (await h.log.read(0, { sessionId: JSON.parse(first.body).session_id }, 1))[0]!;
  assert.equal(first.body, JSON.stringify(logged.payload), 'body = payload exactly as logged');
  assert.equal(first.headers['x-ringside-event'], logged.name);
  assert.equal(first.headers['x-ringside-event-id'], logged.id);
  assert.equal(first.headers['x-teltel-event-id'], logged.id, 'teltel subscriptions also get X-TelTel-* headers');
  assert.match(String(first.headers['x-ringside-timestamp']), /^\d{10}$/);
  assert.equal(first.headers['x-ringside-signature'], undefined, 'no secret, no signature');
  assert.match(String(first.headers['user-agent']), /^Ringside\//);
  await h.settled();
});

test('only matching subscriptions of the event account get it (dialect, event filter, account)', async (t) => {
  const rx = await Receiver.start(t);
  const h = await harness(t);
  await h.hook({ id: 'all-teltel', url: rx.url('/all') });
  await h.hook({ id: 'only-start', url: rx.url('/start'), events: ['START'] });
  await h.hook({ id: 'realtime', url: rx.url('/rt'), dialect: 'realtime' });
  await h.hook({ id: 'other', accountId: 'other', url: rx.url('/other') });
  await h.append([wireEvent('s1', 0), wireEvent('s1', 1), wireEvent('s1', 0, { dialect: 'realtime', name: 'voice.incoming.start' })]);
  await rx.waitFor(() => rx.acked.length === 4, 5000, '4 deliveries');
  await sleep(150);
  const byPath = (p: string) => rx.requests.filter((r) => r.url === p).map((r) => r.headers['x-ringside-event']);
  assert.deepEqual(byPath('/all'), ['START', 'RING']);
  assert.deepEqual(byPath('/start'), ['START']);
  assert.deepEqual(byPath('/rt'), ['voice.incoming.start']);
  assert.deepEqual(byPath('/other'), [], 'another account never sees these events');
  assert.equal(rx.requests.find((r) => r.url === '/rt')!.headers['x-teltel-event'], undefined, 'X-TelTel-* only for teltel');
});

test('a receiver that is down (connection refused) and then comes up gets everything, in order', async (t) => {
  const port = await Receiver.freePort();
  const rx = Receiver.unstarted(port, t);
  const h = await harness(t);
  await h.hook({ url: rx.url() });
  for (let seq = 0; seq < 5; seq++) await h.append([wireEvent('a', seq), wireEvent('b', seq)]);
  await sleep(400);
  const pending = await h.outbox.pending('acme', 'hook1', 0, 100);
  assert.equal(pending.length, 10, 'all still pending');
  assert.ok(pending.some((r) => r.attempts >= 2 && /ECONNREFUSED/.test(r.lastError ?? '')), 'retried, error recorded');
  assert.ok(pending.filter((r) => r.attempts > 0).every((r) => r.sessionId === 'a' || r.sessionId === 'b'));
  assert.equal(pending.filter((r) => r.attempts > 0).length, 2, 'only the head of each session was tried');
  await rx.listen();
  await rx.waitFor(() => rx.acked.length === 10, 5000, '10 events');
  assertInOrder(sequencesBySession(rx.acked), 5, 'after recovery');
  assert.equal(rx.requests.length, 10);
});

test('500 then 200: retried with backoff until acknowledged, order kept', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (r.seen < 2 ? { status: r.seen === 0 ? 500 : 503 } : undefined);
  const h = await harness(t);
  await h.hook({ url: rx.url() });
  for (let seq = 0; seq < 4; seq++) await h.append([wireEvent('a', seq), wireEvent('b', seq)]);
  await rx.waitFor(() => rx.acked.length === 8, 10_000, '8 events');
  assertInOrder(sequencesBySession(rx.acked), 4, '500 then 200');
  assert.equal(rx.requests.length, 24, 'three requests per event');
  assert.equal(Number(rx.acked[0]!.headers['x-ringside-delivery-attempt']), 3);
});

test('429 with Retry-After: the next attempt waits at least that long', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (r.seen === 0 ? { status: 429, headers: { 'retry-after': '1' } } : undefined);
  const h = await harness(t, { initialDelayMs: 5, maxDelayMs: 20 });
  await h.hook({ url: rx.url() });
  await h.append([wireEvent('a', 0), wireEvent('a', 1)]);
  await rx.waitFor(() => rx.acked.length === 2, 10_000, '2 events');
  const [first, second] = rx.requests.filter((r) => seqOf(r) === 0);
  const gap = second!.at - first!.at;
  assert.ok(gap >= 990, `waited ${gap} ms after Retry-After: 1`);
  assert.ok(gap < 2500, `but not much longer (${gap} ms)`);
  assert.deepEqual(sequencesBySession(rx.acked).get('a'), [0, 1]);
});

test('a slow receiver: timeout, then success; order kept', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (r.seen === 0 ? { delayMs: 600 } : undefined);
  const h = await harness(t, { requestTimeoutMs: 200 });
  await h.hook({ url: rx.url() });
  for (let seq = 0; seq < 3; seq++) await h.append([wireEvent('a', seq), wireEvent('b', seq)]);
  await rx.waitFor(() => new Set(rx.acked.filter((r) => r.seen > 0).map((r) => r.eventId)).size === 6, 15_000, '6 events after timeouts');
  // The receiver answered the timed-out requests late (the engine had given up on them): what counts is
  // that each event's retry came after its timeout, and sessions stayed in order.
  const retries = rx.requests.filter((r) => r.seen === 1);
  assertInOrder(sequencesBySession(retries), 3, 'retries');
  await h.settled();
});

test('permanent 4xx goes to the dead letters at once; the session moves on', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (seqOf(r) === 1 ? { status: 404 } : undefined);
  const h = await harness(t);
  await h.hook({ url: rx.url() });
  await h.append([wireEvent('a', 0), wireEvent('a', 1), wireEvent('a', 2)]);
  await rx.waitFor(() => rx.acked.length === 2, 5000, '2 acked');
  assert.deepEqual(rx.requests.map(seqOf), [0, 1, 2], 'one attempt at the 404, then the next event');
  const dead = await h.engine.listDeadLetters('acme', { limit: 10 });
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.eventId, 'a-teltel-1');
  assert.equal(dead[0]!.attempts, 1);
  assert.equal(dead[0]!.lastStatus, 404);
  assert.match(dead[0]!.lastError!, /HTTP 404/);
  // Replay once the receiver is fixed.
  rx.behaviour = () => undefined;
  const replayed = await h.engine.replay('acme', [dead[0]!.id]);
  assert.equal(replayed.length, 1);
  await rx.waitFor(() => rx.acked.length === 3, 5000, 'replayed event');
  assert.equal(rx.acked[2]!.eventId, 'a-teltel-1');
  assert.equal(rx.acked[2]!.body, rx.requests[1]!.body, 'identical payload on replay');
  await h.settled();
});

test('retries exhausted: dead letter after the give-up period, then replay-all delivers', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ status: 503 });
  const h = await harness(t, { initialDelayMs: 10, maxDelayMs: 40, giveUpAfterMs: 300 });
  await h.hook({ url: rx.url() });
  await h.append([wireEvent('a', 0), wireEvent('a', 1)]);
  const started = Date.now();
  while ((await h.outbox.counts()).dead < 2) {
    assert.ok(Date.now() - started < 5000, 'both dead-lettered within 5 s');
    await sleep(25);
  }
  const dead = await h.engine.listDeadLetters('acme', { limit: 10 });
  assert.deepEqual(dead.map((d) => d.eventId), ['a-teltel-0', 'a-teltel-1'], 'in order');
  assert.ok(dead[0]!.attempts > 2, `retried ${dead[0]!.attempts} times`);
  assert.ok(dead[0]!.deadAt! - dead[0]!.firstAttemptAt! >= 300 - 5);
  assert.equal(dead[0]!.lastStatus, 503);
  rx.behaviour = () => undefined;
  const n = rx.acked.length;
  assert.equal((await h.engine.replayAll('acme', undefined)).length, 2);
  await rx.waitFor(() => rx.acked.length === n + 2, 5000, 'replayed');
  assert.deepEqual(rx.acked.map(seqOf), [0, 1]);
});

test('fallback URL: tried at once when the primary fails (refused, or 404)', async (t) => {
  const down = await Receiver.freePort();
  const fb = await Receiver.start(t);
  const primary = await Receiver.start(t);
  primary.behaviour = () => ({ status: 404 });
  const h = await harness(t);
  await h.hook({ id: 'refused', url: `http://127.0.0.1:${down}/hook`, fallbackUrl: fb.url('/fb1') });
  await h.hook({ id: 'notfound', url: primary.url('/p'), fallbackUrl: fb.url('/fb2') });
  await h.append([wireEvent('a', 0), wireEvent('a', 1)]);
  await fb.waitFor(() => fb.acked.length === 4, 5000, 'fallback deliveries');
  assert.deepEqual(fb.acked.filter((r) => r.url === '/fb1').map(seqOf), [0, 1]);
  assert.deepEqual(fb.acked.filter((r) => r.url === '/fb2').map(seqOf), [0, 1]);
  assert.equal(primary.requests.length, 2, 'primary tried once per event');
  await h.settled();
});

test('signature (HMAC-SHA256 over timestamp.body), Basic auth from URL credentials, GET with query parameters', async (t) => {
  const rx = await Receiver.start(t);
  const h = await harness(t);
  const secret = 's3cret-signing-key';
  await h.hook({ id: 'post', url: `http://hook%20user:p%40ss@127.0.0.1:${rx.port}/signed`, secret });
  await h.hook({ id: 'get', url: `http://127.0.0.1:${rx.port}/get?token=abc`, secret, method: 'GET', dialect: 'bandwidth' });
  await h.append([wireEvent('a', 0)]);
  await h.append([wireEvent('a', 0, { dialect: 'bandwidth', name: 'answer', payload: { eventType: 'answer', callId: 'c-1', diversion: { reason: 'busy', privacy: 'off' }, tag: 'a b&c', seq: 0 } })]);
  await rx.waitFor(() => rx.acked.length === 2, 5000, '2 events');
  const post = rx.acked.find((r) => r.method === 'POST')!;
  // The receiver's check, exactly as docs/webhooks.md shows it.
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${post.headers['x-ringside-timestamp']}.${post.body}`).digest('hex');
  assert.equal(post.headers['x-ringside-signature'], expected);
  assert.equal(post.headers['x-teltel-signature'], expected);
  assert.ok(Math.abs(Number(post.headers['x-ringside-timestamp']) - Date.now() / 1000) < 5);
  assert.equal(post.headers.authorization, 'Basic ' + Buffer.from('hook user:p@ss').toString('base64'));
  assert.equal(post.url, '/signed');

  const get = rx.acked.find((r) => r.method === 'GET')!;
  assert.equal(get.body, '');
  assert.match(String(get.headers['user-agent']), /^BandwidthAPI\/v1 \(Ringside\//);
  const query = get.url.slice(get.url.indexOf('?') + 1);
  const params = new URLSearchParams(query);
  assert.equal(params.get('token'), 'abc', "the URL's own parameters are kept");
  assert.equal(params.get('callId'), 'c-1');
  assert.equal(params.get('tag'), 'a b&c');
  assert.deepEqual(JSON.parse(params.get('diversion')!), { reason: 'busy', privacy: 'off' }, 'nested objects as a JSON string');
  assert.deepEqual([...params.keys()], [...params.keys()].sort(), 'canonical: sorted by name');
  const expectedGet = 'sha256=' + createHmac('sha256', secret).update(`${get.headers['x-ringside-timestamp']}.${query}`).digest('hex');
  assert.equal(get.headers['x-ringside-signature'], expectedGet);
  assert.equal(get.headers.authorization, undefined);
});

test('ping sends a synthetic event and reports what the receiver answered', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (r.url === '/teapot' ? { status: 418 } : undefined);
  const h = await harness(t);
  const hook = await h.hook({ url: rx.url('/hook'), secret: 'ping-secret-1' });
  const ok = await h.engine.ping(hook);
  assert.equal(ok.primary.ok, true);
  assert.equal(ok.primary.status, 200);
  assert.equal(rx.requests[0]!.headers['x-ringside-event'], 'ping');
  assert.equal(JSON.parse(rx.requests[0]!.body).event, 'ping');
  const bad = await h.engine.ping({ ...hook, url: rx.url('/teapot') });
  assert.deepEqual([bad.primary.ok, bad.primary.status, bad.primary.error], [false, 418, 'HTTP 418']);
  const down = await h.engine.ping({ ...hook, url: `http://127.0.0.1:${await Receiver.freePort()}/` });
  assert.equal(down.primary.ok, false);
  assert.match(down.primary.error!, /ECONNREFUSED/);
  assert.deepEqual(await h.outbox.counts(), { pending: 0, dead: 0 }, 'pings are not queued');
});

test('stop mid-delivery and restart: nothing lost, nothing acknowledged sent again', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ delayMs: 10 });
  const h = await harness(t, { ...FAST, maxConcurrentPerOrigin: 4 });
  await h.hook({ url: rx.url() });
  const sessions = range(6).map((i) => `s${i}`);
  for (let seq = 0; seq < 20; seq++) await h.append(sessions.map((s) => wireEvent(s, seq)));
  await rx.waitFor(() => rx.acked.length >= 30, 10_000, '30 acked');
  await h.engine.stop();
  const atStop = rx.acked.length;
  assert.ok(atStop < 120, `stopped mid-delivery (${atStop} of 120)`);
  // Events logged while the engine is down are fed after the restart.
  for (let seq = 20; seq < 25; seq++) await h.append(sessions.map((s) => wireEvent(s, seq)));
  await sleep(100);
  assert.equal(rx.acked.length, atStop, 'nothing sent while stopped');
  await h.restart();
  await rx.waitFor(() => rx.ackedIds().size === 150, 15_000, '150 events');
  await sleep(100);
  assert.equal(rx.requests.length, 150, 'each event sent exactly once across the restart (graceful stop lets in-flight finish)');
  assertInOrder(sequencesBySession(rx.acked), 25, 'across restart');
});

test('bounded: per-origin concurrency and in-memory window hold with a large backlog', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ delayMs: 5 });
  const h = await harness(t, { maxConcurrentPerOrigin: 3, windowPerSubscription: 40, maxQueuedPerSession: 5 }, false);
  await h.hook({ url: rx.url() });
  const sessions = range(30).map((i) => `b${i}`);
  for (let seq = 0; seq < 10; seq++) await h.append(sessions.map((s) => wireEvent(s, seq)));
  await h.append(range(60).map((seq) => wireEvent('big', seq)));
  // Start on a backlog fed from the beginning: 360 rows, window 40.
  h.engine = new WebhookEngine({ events: h.log, store: h.store, outbox: h.outbox, ...FAST, maxConcurrentPerOrigin: 3, windowPerSubscription: 40, maxQueuedPerSession: 5, startAt: 'beginning' });
  await h.engine.start();
  let maxRows = 0;
  const probe = setInterval(() => (maxRows = Math.max(maxRows, h.engine.stats.rowsInMemory)), 2);
  t.after(() => clearInterval(probe));
  await rx.waitFor(() => rx.acked.length === 360, 20_000, '360 events');
  clearInterval(probe);
  assert.ok(rx.maxActive <= 3, `at most 3 concurrent requests to the origin (saw ${rx.maxActive})`);
  assert.ok(maxRows <= 40, `at most 40 rows in memory (saw ${maxRows})`);
  const seqs = sequencesBySession(rx.acked);
  assert.deepEqual(seqs.get('big'), range(60));
  for (const s of sessions) assert.deepEqual(seqs.get(s), range(10));
  assert.equal(rx.requests.length, 360);
});

test('events no subscription wants cost no outbox write each; the feed position is saved within a second and at stop', async (t) => {
  const h = await harness(t);
  const start = (await h.outbox.feedPosition())!;
  for (let seq = 0; seq < 5; seq++) await h.append([wireEvent('quiet', seq)]);
  await sleep(200);
  assert.equal(await h.outbox.feedPosition(), start, 'not saved page by page');
  await sleep(1200);
  assert.equal(await h.outbox.feedPosition(), start + 5, 'saved within a second');
  await h.append([wireEvent('quiet', 5)]);
  await sleep(100);
  await h.engine.stop();
  assert.equal(await h.outbox.feedPosition(), start + 6, 'saved at stop');
  // The next subscription's events still go out: a page with rows saves its position with them.
  await h.restart();
  const rx = await Receiver.start(t);
  await h.hook({ url: rx.url() });
  await h.append([wireEvent('loud', 0)]);
  await rx.waitFor(() => rx.acked.length === 1, 5000, 'the event after subscribing');
  assert.equal(await h.outbox.feedPosition(), start + 7);
});
