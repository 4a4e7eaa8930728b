/**
 * Voice-API callbacks (spec bandwidth §1.1): a call's voice-API events go to the call's own callback target,
 * without any subscription, through the durable delivery engine — against a real SqliteEventLog, the call
 * records in a real SqliteStore, the real SqliteOutbox and a real HTTP receiver on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { LoggedEvent } from '../../src/events/log/event-log.js';
import type { CallbackTarget, VoiceCallRecord } from '../../src/store/voice-records.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { adminApi } from '../../src/api/admin/admin-api.js';
import { parseConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/log/logger.js';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { WebhookEngine } from '../../src/delivery/webhooks/webhook-engine.js';
import { FAST, harness, Receiver, sleep, tempDir, type Received } from './support.js';

const NAMES = ['incomingcall', 'answer', 'speak', 'dtmf', 'gather', 'playback', 'hangup'];

/** A call's n-th voice-API event as the bandwidth projection logs it (route.callId = the call). */
function callEvent(callId: string, seq: number, accountId = 'acme'): LoggedEvent {
  const name = NAMES[Math.min(seq, NAMES.length - 1)]!;
  return {
    dialect: 'bandwidth',
    name,
    id: `${callId}-bw-${seq}`,
    sessionId: `s-${callId}`,
    accountId,
    userIds: [],
    route: { callId, applicationId: 'a-voice01' },
    payload: { eventType: name, callId, callUri: `https://api.example.test/v1/users/u-acme/calls/${callId}`, from: '+14045550111', to: '+19195550100', callState: 'active', tag: `seq-${seq}`, time: new Date().toISOString() },
  };
}

function conferenceEvent(conferenceId: string): LoggedEvent {
  return {
    dialect: 'bandwidth',
    name: 'conference',
    id: `${conferenceId}-bw-0`,
    sessionId: `s-${conferenceId}`,
    accountId: 'acme',
    userIds: [],
    route: { conferenceId, applicationId: 'a-voice01' },
    payload: { eventType: 'conference', conferenceId, status: 'created', time: new Date().toISOString() },
  };
}

function callRecord(id: string, callback: CallbackTarget | undefined, accountId = 'acme'): VoiceCallRecord {
  const r: VoiceCallRecord = { kind: 'call', id, accountId, userId: 'u-acme', sessionId: `s-${id}`, direction: 'in', from: '+14045550111', to: '+19195550100', state: 'started', applicationId: 'a-voice01', recordingEnabled: false, startTime: Date.now() };
  if (callback) r.callback = callback;
  return r;
}

const post = (url: string, extra: Partial<CallbackTarget> = {}): CallbackTarget => ({ url, method: 'POST', timeoutMs: 10_000, ...extra });
const seqOf = (r: Received) => Number(String((JSON.parse(r.body) as { tag: string }).tag).slice(4));
const callOf = (r: Received) => (JSON.parse(r.body) as { callId: string }).callId;

function byCall(requests: readonly Received[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of requests) out.set(callOf(r), [...(out.get(callOf(r)) ?? []), seqOf(r)]);
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test("each call's events go to its own callback URL, POST JSON, strictly in order, without a subscription", async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ delayMs: Math.floor(Math.random() * 15) });
  const h = await harness(t);
  // Inbound calls (callback copied from the application) and an outbound call (from POST /calls); one
  // outbound call without callbackUrl, whose events go nowhere.
  await h.store.putVoiceResource(callRecord('c-in1', post(rx.url('/app'))));
  await h.store.putVoiceResource(callRecord('c-in2', post(rx.url('/app'))));
  await h.store.putVoiceResource({ ...callRecord('c-out', post(rx.url('/out'))), direction: 'out' });
  await h.store.putVoiceResource({ ...callRecord('c-silent', undefined), direction: 'out' });
  for (let seq = 0; seq < 7; seq++) await h.append(['c-in1', 'c-in2', 'c-out', 'c-silent'].map((c) => callEvent(c, seq)));
  await h.append([conferenceEvent('conf-1'), callEvent('c-unknown', 0)]);
  await rx.waitFor(() => rx.acked.length === 21, 10_000, '21 callbacks');
  await h.settled();
  await sleep(100);
  assert.equal(rx.requests.length, 21, 'each once; nothing for the silent call, the unknown call or the conference');
  assert.deepEqual(byCall(rx.acked), new Map([['c-in1', range(7)], ['c-in2', range(7)], ['c-out', range(7)]]));
  assert.ok(rx.requests.filter((r) => r.url === '/out').every((r) => callOf(r) === 'c-out'), 'the outbound call to its own URL');
  assert.ok(rx.requests.filter((r) => r.url === '/app').every((r) => callOf(r) !== 'c-out'));
  const first = rx.requests.find((r) => callOf(r) === 'c-in1')!;
  const logged = (await h.log.read(0, { sessionId: 's-c-in1' }, 1))[0]!;
  assert.equal(first.method, 'POST');
  assert.equal(first.body, logged.payloadJson, 'body = payload exactly as logged');
  assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
  assert.match(String(first.headers['user-agent']), /^BandwidthAPI\/v1 \(Ringside\/.+\)$/, 'spec bandwidth §1.2');
  assert.equal(first.headers['x-ringside-event'], 'incomingcall');
  assert.equal(first.headers['x-ringside-event-id'], logged.id);
  assert.equal(first.headers['x-ringside-signature'], undefined);
});

test('a bandwidth subscription still receives every event, beside the calls’ own callbacks', async (t) => {
  const rx = await Receiver.start(t);
  const h = await harness(t);
  await h.hook({ id: 'bw-all', url: rx.url('/sub'), dialect: 'bandwidth' });
  await h.store.putVoiceResource(callRecord('c-1', post(rx.url('/call'))));
  await h.store.putVoiceResource(callRecord('c-2', undefined));
  await h.append([callEvent('c-1', 0), callEvent('c-2', 0), conferenceEvent('conf-1'), callEvent('c-1', 1)]);
  await rx.waitFor(() => rx.acked.length === 6, 5000, '6 deliveries');
  await h.settled();
  const at = (path: string) => rx.requests.filter((r) => r.url === path).map((r) => r.headers['x-ringside-event-id']);
  assert.deepEqual(at('/sub'), ['c-1-bw-0', 'c-2-bw-0', 'conf-1-bw-0', 'c-1-bw-1']);
  assert.deepEqual(at('/call'), ['c-1-bw-0', 'c-1-bw-1']);
});

test('a GET callback gets the payload as query parameters; URL credentials become Basic auth (spec bandwidth §1.2, §1.3)', async (t) => {
  const rx = await Receiver.start(t);
  const h = await harness(t);
  const url = `http://bob%40acme:p%C3%A4ss%3Aword@127.0.0.1:${rx.port}/bxml?app=7`;
  await h.store.putVoiceResource(callRecord('c-get', { url, method: 'GET', timeoutMs: 5000 }));
  await h.append([callEvent('c-get', 0), callEvent('c-get', 1)]);
  await rx.waitFor(() => rx.acked.length === 2, 5000, '2 callbacks');
  const [r0, r1] = rx.acked;
  for (const r of [r0!, r1!]) {
    assert.equal(r.method, 'GET');
    assert.equal(r.body, '');
    assert.equal(r.headers['content-type'], undefined);
    assert.equal(r.headers.authorization, 'Basic ' + Buffer.from('bob@acme:päss:word').toString('base64'));
    assert.match(String(r.headers['user-agent']), /^BandwidthAPI\/v1 /);
  }
  const q = new URL(r0!.url, 'http://x').searchParams;
  assert.equal(new URL(r0!.url, 'http://x').pathname, '/bxml');
  assert.equal(q.get('app'), '7', "the URL's own parameters kept");
  assert.equal(q.get('eventType'), 'incomingcall');
  assert.equal(q.get('callId'), 'c-get');
  assert.equal(q.get('from'), '+14045550111');
  assert.equal(q.get('tag'), 'seq-0');
  assert.equal(new URL(r1!.url, 'http://x').searchParams.get('eventType'), 'answer', 'in order');
});

test("the call's callbackTimeout bounds each request: a primary slower than it → the fallback gets the event", async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = (r) => (r.url === '/slow' ? { delayMs: 1500 } : undefined);
  // The engine's own timeout (2 s in FAST) would let the 1.5 s answer through: only the call's 300 ms cuts it.
  const h = await harness(t, { requestTimeoutMs: 2000 });
  await h.store.putVoiceResource(callRecord('c-slow', post(rx.url('/slow'), { timeoutMs: 300, fallbackUrl: rx.url('/fallback') })));
  await h.append([callEvent('c-slow', 0), callEvent('c-slow', 1)]);
  await rx.waitFor(() => rx.acked.length === 2, 5000, '2 callbacks at the fallback');
  await h.settled();
  assert.deepEqual(
    rx.acked.map((r) => [r.url, seqOf(r)]),
    [
      ['/fallback', 0],
      ['/fallback', 1],
    ],
  );
  const slow = rx.requests.filter((r) => r.url === '/slow');
  assert.equal(slow.length, 2, 'each event tried at the primary first');
  for (const [i, fb] of rx.acked.entries()) {
    const waited = fb.at - slow[i]!.at;
    assert.ok(waited >= 250 && waited < 1000, `fallback ${waited} ms after the primary: the call's 300 ms timeout`);
  }
  await sleep(1500);
  assert.equal(rx.acked.filter((r) => r.url === '/slow').length, 0, 'the slow answers came after the request was abandoned');
});

test('a callback URL that is down is retried then dead-lettered while other calls keep flowing; replay resolves the call again', async (t) => {
  const port = await Receiver.freePort();
  const down = Receiver.unstarted(port, t);
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ delayMs: 5 });
  // Waits 50, 100, 200 ms between the 4 attempts of each event (random = 1: the ceiling).
  const h = await harness(t, { maxAttempts: 4, initialDelayMs: 50, random: () => 1 });
  await h.store.putVoiceResource(callRecord('c-down', post(down.url('/app'))));
  await h.store.putVoiceResource(callRecord('c-up', post(rx.url('/app'))));
  for (let seq = 0; seq < 4; seq++) await h.append([callEvent('c-down', seq), callEvent('c-up', seq)]);
  await rx.waitFor(() => rx.acked.length === 4, 5000, "c-up's 4 events");
  assert.deepEqual(byCall(rx.acked), new Map([['c-up', range(4)]]));
  const stuck = await h.outbox.pending('acme', 'voice-call:c-down', 0, 10);
  assert.equal(stuck.length, 4, 'the down call still holds all its events: it did not hold back c-up');
  assert.deepEqual(
    stuck.map((r) => r.attempts > 0),
    [true, false, false, false],
    'only the head of the call is tried',
  );

  await h.settled({ pending: 0, dead: 4 }, 10_000);
  const dead = await h.engine.listDeadLetters('acme', { webhookId: 'voice-call:c-down', limit: 10 });
  assert.deepEqual(
    dead.map((d) => d.eventId),
    range(4).map((s) => `c-down-bw-${s}`),
  );
  for (const d of dead) {
    assert.equal(d.attempts, 4);
    assert.match(d.lastError ?? '', /^primary: network error: ECONNREFUSED/);
    assert.equal(d.sessionId, 's-c-down');
  }

  // The call lost its callback (a later record without one): replay dead-letters again, saying why.
  await h.store.putVoiceResource(callRecord('c-down', undefined));
  const [again] = await h.engine.replay('acme', [dead[0]!.id]);
  await h.settled({ pending: 0, dead: 4 });
  const redead = (await h.engine.listDeadLetters('acme', { webhookId: 'voice-call:c-down', limit: 10 })).find((d) => d.id === again!.id)!;
  assert.equal(redead.lastError, 'the call c-down has no callback URL');
  assert.equal(redead.attempts, 0);

  // Callback back and the receiver up: everything replayed is delivered.
  await h.store.putVoiceResource(callRecord('c-down', post(down.url('/app'))));
  await down.listen();
  assert.equal((await h.engine.replayAll('acme', 'voice-call:c-down')).length, 4);
  await down.waitFor(() => down.acked.length === 4, 5000, '4 replayed callbacks');
  await h.settled();
  assert.deepEqual(new Set(down.acked.map((r) => r.eventId)), new Set(range(4).map((s) => `c-down-bw-${s}`)));
});

test('undelivered callbacks survive a restart and go out, in order, when the receiver comes up', async (t) => {
  const port = await Receiver.freePort();
  const rx = Receiver.unstarted(port, t);
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord('c-r', post(rx.url('/app'))));
  for (let seq = 0; seq < 5; seq++) await h.append([callEvent('c-r', seq)]);
  await sleep(200);
  await h.engine.stop();
  assert.equal((await h.outbox.pending('acme', 'voice-call:c-r', 0, 10)).length, 5);
  await rx.listen();
  await h.restart();
  await rx.waitFor(() => rx.acked.length === 5, 5000, '5 callbacks after the restart');
  assert.deepEqual(byCall(rx.acked), new Map([['c-r', range(5)]]));
});

test('no dispatcher is kept per call: after many calls the engine holds nothing', async (t) => {
  const rx = await Receiver.start(t);
  const h = await harness(t);
  let most = 0;
  const watch = setInterval(() => (most = Math.max(most, h.engine.stats.dispatchers)), 5);
  t.after(() => clearInterval(watch));
  for (const batch of [0, 1]) {
    const calls = range(150).map((i) => `c-${batch}-${i}`);
    for (const c of calls) await h.store.putVoiceResource(callRecord(c, post(rx.url('/app'))));
    for (let seq = 0; seq < 3; seq++) await h.append(calls.map((c) => callEvent(c, seq)));
    await rx.waitFor(() => rx.acked.length === (batch + 1) * 450, 20_000, `batch ${batch}`);
    await h.settled();
    await sleep(50);
    const s = h.engine.stats;
    assert.deepEqual({ dispatchers: s.dispatchers, lanes: s.lanes, rowsInMemory: s.rowsInMemory }, { dispatchers: 0, lanes: 0, rowsInMemory: 0 }, `after batch ${batch}`);
  }
  assert.ok(most > 1, `calls were delivered in parallel (up to ${most} dispatchers)`);
  assert.deepEqual(
    [...byCall(rx.acked).values()].filter((l) => l.join() !== '0,1,2'),
    [],
    'every call in order',
  );
});

test('dead letters of a call are listed, filtered and replayed by the admin routes', async (t) => {
  const rx = await Receiver.start(t);
  let gone = true;
  rx.behaviour = () => (gone ? { status: 404 } : undefined);
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(
    parseConfig(`
accounts:
  - id: acme
    name: Acme
    users:
      - { id: 11, name: Ada, email: ada@acme.test, password: ada-pass-1, role: admin, pin: "1111" }
`),
  );
  const log = new SqliteEventLog(join(dir, 'events.db'));
  const outbox = new SqliteOutbox(join(dir, 'ringside.db'));
  const engine = new WebhookEngine({ events: log, store, outbox, ...FAST });
  await engine.start();
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(adminApi, { store, events: log, recorder: { openSessions: 0 }, webhooks: engine });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    await engine.stop();
    await outbox.close();
    await log.close();
    await store.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const call = async (method: string, path: string) => {
    const res = await fetch(base + path, { method, headers: { authorization: 'Basic ' + Buffer.from('ada@acme.test:ada-pass-1').toString('base64') } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  await store.putVoiceResource(callRecord('c-404', post(rx.url('/app'))));
  await log.append({ facts: [], events: [callEvent('c-404', 0), callEvent('c-404', 1)] });
  // 404 is permanent: dead at once (docs/webhooks.md).
  for (let i = 0; (await outbox.counts()).dead < 2; i++) {
    assert.ok(i < 200, 'dead-lettered');
    await sleep(10);
  }
  const listed = await call('GET', '/webhooks/dead-letters?webhook_id=voice-call:c-404');
  assert.equal(listed.status, 200, JSON.stringify(listed.json));
  const dead = listed.json.deadLetters as { id: number; webhookId: string; event: string; lastStatus: number }[];
  assert.deepEqual(
    dead.map((d) => [d.webhookId, d.event, d.lastStatus]),
    [
      ['voice-call:c-404', 'incomingcall', 404],
      ['voice-call:c-404', 'answer', 404],
    ],
  );
  assert.equal((await call('GET', '/webhooks/dead-letters?webhook_id=voice-call:c%20x')).status, 400, 'still validated');
  gone = false;
  const replayed = await call('POST', '/webhooks/dead-letters/replay?webhook_id=voice-call:c-404');
  assert.deepEqual(replayed, { status: 200, json: { success: true, replayed: 2 } });
  await rx.waitFor(() => rx.acked.length === 2, 5000, '2 replayed callbacks');
  assert.deepEqual(
    rx.acked.map((r) => r.headers['x-ringside-event']),
    ['incomingcall', 'answer'],
  );
});
