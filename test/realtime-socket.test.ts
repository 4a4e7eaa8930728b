/**
 * The RealTime WebSocket API (spec realtime §2) against a real Ringside and a real WebSocket client.
 * Calls are recorded as facts through Ringside's own recorder (the switch that will produce them from SIP
 * is a later issue); everything from the log to the socket is the real path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, login } from './support/in-process.js';
import { TestSocket } from './support/ws-client.js';
import { CallScript, phone, sip } from './support/call-script.js';
import type { Ringside } from '../src/app/ringside.js';

const CONFIG = `
accounts:
  - id: demo
    name: Demo
    numbers: [{ number: "+15550100" }]
    users:
      - { id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101" }
      - { id: 502, name: Bob, email: bob@demo.test, password: bob-pass, role: user, extension: "102", pin: "1102" }
      - { id: 503, name: Carol, email: carol@demo.test, password: carol-pass, role: manager, extension: "103", pin: "1103" }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501, 502] } }
  - id: other
    name: Other
    numbers: [{ number: "+15559900" }]
    users:
      - { id: 901, name: Olga, email: olga@other.test, password: olga-pass, role: admin, pin: "9901" }
`;

let seq = 0;
/** An inbound call to the Main line, ringing alice and bob, answered by alice. */
function inboundCall(accountId = 'demo', userIds = ['501', '502']) {
  const id = `sess${++seq}`;
  const s = new CallScript(id, Date.UTC(2024, 4, 14, 9, 0, seq));
  s.start({ accountId, accountcode: accountId, kind: 'inbound', callId: `1715678467.${seq}`, from: phone('+15557654321'), to: phone('+15550100'), line: { id: 'main', name: 'Main', number: '+15550100' }, userIds });
  s.leg('c', 'caller', phone('+15557654321'));
  s.leg('a', 'callee', sip('101', '501', 'Alice'), { user: { id: '501', name: 'Alice', pin: '1101' } });
  s.leg('b', 'callee', sip('102', '502', 'Bob'), { user: { id: '502', name: 'Bob', pin: '1102' } });
  s.up('a').failed('b', 'CANCEL', 487).up('c').joined('c').joined('a');
  s.left('c').left('a').ended('c', 'remote').ended('a', 'local').end(phone('+15557654321'), 'normal', 'c');
  return s.facts;
}

async function record(r: Ringside, facts: ReturnType<typeof inboundCall>) {
  for (const f of facts) await r.recorder.record(f);
}

const names = (frames: Record<string, unknown>[]) => frames.map((f) => `${String(f.category)}.${String(f.subCategory)}.${String(f.eventName)}`);

test('bad frames get structured errors and the socket survives them', async (t) => {
  const r = await startInProcess(t, CONFIG);
  const s = await TestSocket.open(r.httpPort);
  t.after(() => s.close());
  assert.deepEqual(await s.request({ type: 'startusereventrequest' } as Record<string, unknown>, 'startusereventresponse'), {
    type: 'startusereventresponse', success: false, error: 'not_authenticated', message: 'send authrequest with a bearer token first',
  });
  s.send('this is not json');
  await s.until((f) => f.some((x) => x.error === 'bad_json'));
  assert.deepEqual(await s.request({ type: 'frobnicate' }, 'error'), { type: 'error', success: false, error: 'unknown_request', request: 'frobnicate', message: "unknown request type 'frobnicate'" });
  s.send('[1,2]');
  await s.until((f) => f.some((x) => x.error === 'bad_request'));
  assert.equal((await s.request({ type: 'authrequest' }, 'authresponse')).error, 'missing_token');
  assert.equal((await s.request({ type: 'authrequest', token: 'c04c7ff7-5fa1-48fb-aa2a-bcf97a6b8a79' }, 'authresponse')).error, 'invalid_token');
  // Still usable: a real token now works.
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  assert.deepEqual(await s.request({ type: 'authrequest', token }, 'authresponse'), { type: 'authresponse', success: true });
  assert.equal(s.closed, undefined);
});

test('user and account streams carry the right events; roles and accounts are enforced', async (t) => {
  const r = await startInProcess(t, CONFIG);
  const alice = await TestSocket.open(r.httpPort);
  const bob = await TestSocket.open(r.httpPort);
  const carol = await TestSocket.open(r.httpPort);
  const olga = await TestSocket.open(r.httpPort);
  t.after(() => [alice, bob, carol, olga].forEach((s) => s.close()));
  for (const [s, u, p] of [[alice, 'alice@demo.test', 'alice-pass'], [bob, 'bob@demo.test', 'bob-pass'], [carol, 'carol@demo.test', 'carol-pass'], [olga, 'olga@other.test', 'olga-pass']] as const)
    assert.equal((await s.request({ type: 'authrequest', token: await login(r, u, p) }, 'authresponse')).success, true);

  assert.equal((await alice.request({ type: 'startusereventrequest' }, 'startusereventresponse')).success, true);
  assert.equal((await alice.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);
  // Starting again is idempotent: no duplicate delivery.
  assert.equal((await alice.request({ type: 'startusereventrequest' }, 'startusereventresponse')).success, true);
  assert.equal((await bob.request({ type: 'startusereventrequest' }, 'startusereventresponse')).success, true);
  assert.deepEqual(await bob.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse'), {
    type: 'startaccounteventresponse', success: false, error: 'forbidden', message: 'the account stream needs the manager or admin role',
  });
  assert.equal((await carol.request({ type: 'startusereventrequest' }, 'startusereventresponse')).success, true);
  assert.equal((await carol.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);
  assert.equal((await olga.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);

  await record(r, inboundCall());
  const expected = ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end'];
  await alice.until((f) => f.filter((x) => x.type === 'userevent').length === 3 && f.filter((x) => x.type === 'accountevent').length === 3);
  assert.deepEqual(names(alice.events('userevent')), expected);
  assert.deepEqual(names(alice.events('accountevent')), expected, 'an event matching both streams is sent on each');
  await bob.until((f) => f.filter((x) => x.type === 'userevent').length === 3);
  assert.deepEqual(names(bob.events('userevent')), expected, 'bob was rung: the call is on his user stream');
  await carol.until((f) => f.filter((x) => x.type === 'accountevent').length === 3);
  assert.deepEqual(carol.events('userevent'), [], 'carol was not involved: nothing on her user stream');

  const answer = alice.events('userevent')[1]!;
  assert.equal(answer.userId, '501');
  assert.equal(answer.trackingId, 'sess' + seq);
  assert.equal(typeof answer.eventId, 'string');
  assert.equal(answer.eventName, 'answer');

  // Another account's call never reaches demo's sockets, and demo's never reach olga.
  await record(r, inboundCall('other', ['901']));
  await olga.until((f) => f.filter((x) => x.type === 'accountevent').length === 3);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(olga.events('accountevent').every((e) => e.accountId === 'other'), true);
  assert.equal(carol.events('accountevent').length, 3);
  assert.equal(alice.events('accountevent').length, 3);

  // Stop: nothing more arrives on that stream.
  assert.equal((await alice.request({ type: 'stopaccounteventrequest' }, 'stopaccounteventresponse')).success, true);
  await record(r, inboundCall());
  await alice.until((f) => f.filter((x) => x.type === 'userevent').length === 6);
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(alice.events('accountevent').length, 3);
});

test('a client resuming with lastEventId gets what it missed, in order, once, then live events', async (t) => {
  const r = await startInProcess(t, CONFIG);
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  const first = await TestSocket.open(r.httpPort);
  await first.request({ type: 'authrequest', token }, 'authresponse');
  await first.request({ type: 'startusereventrequest' }, 'startusereventresponse');
  await record(r, inboundCall());
  await first.until((f) => f.filter((x) => x.type === 'userevent').length === 3);
  const lastSeen = first.events('userevent')[1]!.eventId as string;
  first.close();

  await record(r, inboundCall());
  const second = await TestSocket.open(r.httpPort);
  t.after(() => second.close());
  await second.request({ type: 'authrequest', token }, 'authresponse');
  assert.equal((await second.request({ type: 'startusereventrequest', lastEventId: lastSeen }, 'startusereventresponse')).success, true);
  await second.until((f) => f.filter((x) => x.type === 'userevent').length === 4);
  await record(r, inboundCall());
  await second.until((f) => f.filter((x) => x.type === 'userevent').length === 7);
  const got = second.events('userevent');
  assert.deepEqual(names(got), ['voice.incoming.end', ...Array(2).fill(['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']).flat()]);
  assert.equal(new Set(got.map((e) => e.eventId)).size, 7, 'no duplicates');
  const bad = await second.request({ type: 'startaccounteventrequest', lastEventId: 'no-such-event' }, 'startaccounteventresponse');
  assert.equal(bad.error, 'unknown_event_id');
});

test('a slow consumer is closed with 4008 instead of growing memory', async (t) => {
  const r = await startInProcess(t, CONFIG, { realtime: { maxBufferedBytes: 256 * 1024 } });
  const s = await TestSocket.open(r.httpPort);
  t.after(() => s.close());
  await s.request({ type: 'authrequest', token: await login(r, 'alice@demo.test', 'alice-pass') }, 'authresponse');
  await s.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse');
  // Stop reading: the kernel buffers fill, then Ringside's send buffer grows past the limit.
  (s.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const big = 'x'.repeat(64 * 1024);
  for (let i = 0; i < 400; i++)
    await r.events.append({ facts: [], events: [{ dialect: 'realtime', name: 'voice.incoming.start', id: `big-${i}`, sessionId: 'big', accountId: 'demo', userIds: [], payload: { category: 'voice', filler: big } }] });
  (s.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await s.until(() => s.closed !== undefined, 10_000, 'close');
  assert.equal(s.closed?.code, 4008);
  assert.match(s.closed!.reason, /slow consumer/);
  assert.ok(s.events('accountevent').length < 400);
});

test('a client that stops answering pings is closed', async (t) => {
  const r = await startInProcess(t, CONFIG, { realtime: { pingIntervalMs: 100 } });
  const quiet = await TestSocket.open(r.httpPort, { autoPong: false });
  const lively = await TestSocket.open(r.httpPort);
  t.after(() => lively.close());
  await quiet.until(() => quiet.closed !== undefined, 3000, 'close');
  assert.ok([4009, 1006].includes(quiet.closed!.code), String(quiet.closed!.code));
  assert.equal(lively.closed, undefined, 'a client that answers pings stays');
  assert.equal(r.realtime.clientCount, 1);
});

test('the upgrade is only accepted at /', async (t) => {
  const r = await startInProcess(t, CONFIG);
  await assert.rejects(
    new Promise((resolve, reject) => {
      import('ws').then(({ default: WebSocket }) => {
        const ws = new WebSocket(`ws://127.0.0.1:${r.httpPort}/other`);
        ws.once('open', resolve);
        ws.once('error', reject);
      }, reject);
    }),
    /404/,
  );
});
