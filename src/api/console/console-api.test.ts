/**
 * The console's REST (docs/console.md): shapes through the response schemas, scoping to the principal's
 * account, a `user`-role principal seeing only what concerns it, roles on hangup and transfer, and bad input
 * refused with a 400 naming the field before anything happens. A real SqliteStore (credentials, bindings)
 * and the switch's real live-session snapshot fed with facts; hangup and transfer record what they were
 * asked (the switch side is the integration test's: test/server/console-api.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyTestApp } from '../shared/family-test-app.js';
import { LiveSessions } from '../../switch/live-sessions.js';
import type { Fact } from '../../events/model/facts.js';
import { consoleApi, type ConsoleCalls } from './console-api.js';

const user = (id: number, name: string, role: string, ext: string, own = false) =>
  `      - { id: ${id}, name: ${name}, email: ${name.toLowerCase()}@x.test, password: pw-${id}, role: ${role}, extension: "${ext}", pin: "9${ext}", ownRecordsOnly: ${own}, sip: { username: "${ext}", password: sip-${id} } }\n`;
const CONFIG =
  'accounts:\n' +
  '  - id: acme\n    name: Acme\n    timezone: Europe/Paris\n    voiceApi: { userId: u-acme, apiToken: t-acme, apiSecret: s-acme }\n    users:\n' +
  user(1, 'Alice', 'admin', '101') + user(2, 'Bob', 'user', '102') + user(3, 'Mona', 'manager', '103', true) +
  '  - id: beta\n    name: Beta\n    users:\n' + user(9, 'Eve', 'admin', '901');

const basic = (a: string, b: string) => 'Basic ' + Buffer.from(`${a}:${b}`).toString('base64');

/** Facts of one session, stamped in order. */
function session(sessionId: string, accountId: string, facts: Omit<Fact, 'sessionId' | 'at'>[]): Fact[] {
  return facts.map((f, i) => ({ ...f, sessionId, at: 1_700_000_000_000 + i * 1000 }) as Fact);
}

const S1 = 'a'.repeat(32);
const S2 = 'b'.repeat(32);
const S3 = 'c'.repeat(32);
const started = (accountId: string, kind: string, from: string, to: string) =>
  ({ type: 'session.started', accountId, accountcode: accountId, kind, callId: '1.1.1', from: { kind: 'phone', number: from }, to: { kind: 'phone', number: to } }) as const;

async function harness(t: { after: (fn: () => Promise<void>) => void }) {
  const live = new LiveSessions({ record: async () => undefined });
  // S1: an inbound call of acme answered by Alice; S2: acme, ringing Bob's phone; S3: beta's.
  await live.record(
    ...session(S1, 'acme', [
      { ...started('acme', 'inbound', '+15550001', '+15550100'), line: { id: 'main', name: 'Main <b>', number: '+15550100' } },
      { type: 'leg.created', legId: `${S1}.1`, role: 'caller', direction: 'in', party: { kind: 'phone', number: '+15550001', name: '<script>alert(1)</script>' } },
      { type: 'leg.created', legId: `${S1}.2`, role: 'callee', direction: 'out', party: { kind: 'sip', number: '101', userId: '1', name: 'Alice' } },
      { type: 'leg.ringing', legId: `${S1}.2` },
      { type: 'leg.answered', legId: `${S1}.2` },
      { type: 'leg.answered', legId: `${S1}.1` },
    ] as never),
    ...session(S2, 'acme', [started('acme', 'internal', '101', '102'), { type: 'leg.created', legId: `${S2}.2`, role: 'callee', direction: 'out', party: { kind: 'sip', number: '102', userId: '2' } }] as never),
    ...session(S3, 'beta', [started('beta', 'outbound', '901', '+15559999')] as never),
  );
  const asked: string[] = [];
  let transferResult: Awaited<ReturnType<ConsoleCalls['transfer']>> = 'moved';
  const calls: ConsoleCalls = {
    live,
    hangUp: (accountId, sessionId) => (asked.push(`hangup ${accountId} ${sessionId}`), live.get(accountId, sessionId) !== undefined),
    transfer: async (accountId, sessionId, to) => (asked.push(`transfer ${accountId} ${sessionId} ${to}`), live.get(accountId, sessionId) ? transferResult : 'gone'),
  };
  const { app, store, bearer: token } = await familyTestApp(t, CONFIG, (server, db) => server.register(consoleApi, { store: db, calls }));
  return { app, store, live, asked, setTransfer: (r: typeof transferResult) => (transferResult = r), alice: await token(1, 'acme'), bob: await token(2, 'acme'), mona: await token(3, 'acme'), eve: await token(9, 'beta') };
}

test('GET /console/session: the logged-in user and their account; voice-API credentials have no user; none is 401', async (t) => {
  const h = await harness(t);
  const res = await h.app.inject({ url: '/console/session', headers: { authorization: h.bob } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { user: { id: 2, name: 'Bob', email: 'bob@x.test', role: 'user', ownRecordsOnly: false, extension: '102' }, account: { id: 'acme', name: 'Acme', timezone: 'Europe/Paris' } });
  const api = await h.app.inject({ url: '/console/session', headers: { authorization: basic('t-acme', 's-acme') } });
  assert.equal(api.statusCode, 403);
  assert.equal(api.json().error, 'forbidden');
  const none = await h.app.inject({ url: '/console/session' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().success, false);
});

test('GET /console/calls: the account\'s sessions with their legs; a user sees only theirs; another account sees none of them', async (t) => {
  const h = await harness(t);
  const all = (await h.app.inject({ url: '/console/calls', headers: { authorization: h.alice } })).json();
  assert.deepEqual(all.calls.map((c: { sessionId: string }) => c.sessionId), [S1, S2]);
  const [c1, c2] = all.calls;
  assert.deepEqual(c1, {
    sessionId: S1, kind: 'inbound', direction: 'incoming', from: '+15550001', to: '+15550100', state: 'answered', startedAt: 1_700_000_000_000,
    legs: [
      { legId: `${S1}.1`, role: 'caller', partyKind: 'phone', number: '+15550001', state: 'answered', createdAt: 1_700_000_001_000, name: '<script>alert(1)</script>', answeredAt: 1_700_000_005_000 },
      { legId: `${S1}.2`, role: 'callee', partyKind: 'sip', number: '101', state: 'answered', createdAt: 1_700_000_002_000, name: 'Alice', userId: 1, answeredAt: 1_700_000_004_000 },
    ],
    lineId: 'main', lineName: 'Main <b>', answeredAt: 1_700_000_004_000,
  });
  assert.equal(c2.direction, 'internal');
  assert.equal(c2.state, 'ringing');
  assert.deepEqual(c2.legs.map((l: { state: string }) => l.state), ['dialing']);
  const api = (await h.app.inject({ url: '/console/calls', headers: { authorization: basic('t-acme', 's-acme') } })).json();
  assert.equal(api.calls.length, 2, 'voice-API credentials are account-wide');
  const bob = (await h.app.inject({ url: '/console/calls', headers: { authorization: h.bob } })).json();
  assert.deepEqual(bob.calls.map((c: { sessionId: string }) => c.sessionId), [S2], 'a user: only the call ringing them');
  const mona = (await h.app.inject({ url: '/console/calls', headers: { authorization: h.mona } })).json();
  assert.deepEqual(mona.calls, [], 'a manager restricted to own records: none of these concern her');
  const eve = (await h.app.inject({ url: '/console/calls', headers: { authorization: h.eve } })).json();
  assert.deepEqual(eve.calls.map((c: { sessionId: string }) => c.sessionId), [S3]);
});

test('hangup: manager/admin only, in their own account, 204; bad input is a 400 naming the field and asks nothing of the switch', async (t) => {
  const h = await harness(t);
  const post = (url: string, authorization: string, payload?: unknown) => h.app.inject({ method: 'POST', url, headers: { authorization }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const bob = await post(`/console/calls/${S2}/hangup`, h.bob);
  assert.equal(bob.statusCode, 403);
  assert.equal((await post(`/console/calls/${S2}/hangup`, h.mona)).statusCode, 403, 'own-records-only is not account-wide');
  const bad = await post('/console/calls/not-a-session/hangup', h.alice);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /params\.sessionId/);
  const extra = await post(`/console/calls/${S1}/hangup`, h.alice, { now: true });
  assert.equal(extra.statusCode, 400);
  assert.match(extra.json().message, /unknown property 'now'/);
  assert.deepEqual(h.asked, [], 'refused requests asked nothing');
  const other = await post(`/console/calls/${S3}/hangup`, h.alice);
  assert.equal(other.statusCode, 404, "another account's call is not found");
  assert.equal(other.json().error, 'not_found');
  const ok = await post(`/console/calls/${S1}/hangup`, h.alice);
  assert.equal(ok.statusCode, 204);
  assert.equal(ok.body, '');
  assert.equal((await post(`/console/calls/${S2}/hangup`, h.alice, {})).statusCode, 204, 'an empty JSON body is fine too');
  assert.deepEqual(h.asked, [`hangup acme ${S3}`, `hangup acme ${S1}`, `hangup acme ${S2}`]);
});

test('transfer: 202 when the target rings; 422 unroutable, 409 not in conversation, 404 not live; the body is validated strictly', async (t) => {
  const h = await harness(t);
  const post = (payload: unknown, authorization = h.alice, sessionId = S1) => h.app.inject({ method: 'POST', url: `/console/calls/${sessionId}/transfer`, headers: { authorization }, payload: payload as object });
  for (const [body, message] of [
    [{}, /missing required property 'to'/],
    [{ to: 'sip:102@x' }, /body\.to must match/],
    [{ to: '102', when: 'now' }, /unknown property 'when'/],
    [{ to: 102 }, /body\.to must be string/],
  ] as const) {
    const res = await post(body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.match(res.json().message, message);
  }
  assert.equal((await post({ to: '102' }, h.bob)).statusCode, 403);
  assert.deepEqual(h.asked, []);
  assert.equal((await post({ to: '102' })).statusCode, 202);
  assert.equal((await post({ to: '+15557654321' }, h.alice, S3)).statusCode, 404);
  h.setTransfer('nobody');
  const nobody = await post({ to: '555' });
  assert.equal(nobody.statusCode, 422);
  assert.equal(nobody.json().error, 'unroutable');
  h.setTransfer('unanswered');
  assert.equal((await post({ to: '102' })).statusCode, 409);
  assert.deepEqual(h.asked, [`transfer acme ${S1} 102`, `transfer acme ${S3} +15557654321`, `transfer acme ${S1} 555`, `transfer acme ${S1} 102`]);
});

test('GET /console/devices: registered bindings of the account, not expired ones; a user sees their own only', async (t) => {
  const h = await harness(t);
  const now = Date.now();
  const binding = (userId: string, contact: string, expiresAt: number, host = '192.0.2.7') => ({ userId, aor: `sip:${userId}@x`, contact, source: { protocol: 'udp' as const, host, port: 5062 }, expiresAt, callId: 'c', cseq: 1, q: 1 });
  await h.store.saveSipBinding({ ...binding('1', 'sip:101@192.0.2.7:5062', now + 60_000), userAgent: '<img src=x onerror=alert(1)>' });
  await h.store.saveSipBinding(binding('2', 'sip:102@[2001:db8::1]:5062', now + 60_000, '2001:db8::1'));
  await h.store.saveSipBinding(binding('2', 'sip:102@192.0.2.8:5062', now - 1000));
  await h.store.saveSipBinding(binding('9', 'sip:901@192.0.2.9:5062', now + 60_000));
  const all = (await h.app.inject({ url: '/console/devices', headers: { authorization: h.alice } })).json();
  assert.deepEqual(all.devices, [
    { userId: 1, userName: 'Alice', aor: 'sip:1@x', contact: 'sip:101@192.0.2.7:5062', transport: 'udp', source: '192.0.2.7:5062', expiresAt: now + 60_000, extension: '101', userAgent: '<img src=x onerror=alert(1)>' },
    { userId: 2, userName: 'Bob', aor: 'sip:2@x', contact: 'sip:102@[2001:db8::1]:5062', transport: 'udp', source: '[2001:db8::1]:5062', expiresAt: now + 60_000, extension: '102' },
  ]);
  const bob = (await h.app.inject({ url: '/console/devices', headers: { authorization: h.bob } })).json();
  assert.deepEqual(bob.devices.map((d: { userId: number }) => d.userId), [2]);
  const eve = (await h.app.inject({ url: '/console/devices', headers: { authorization: h.eve } })).json();
  assert.deepEqual(eve.devices.map((d: { userId: number }) => d.userId), [9]);
  assert.equal((await h.app.inject({ url: '/console/devices' })).statusCode, 401);
});

test('LiveSessions: leg states from the facts, ending after an answered leg ends, gone at session.ended; a transferred caller arrives answered', async () => {
  const live = new LiveSessions({ record: async () => undefined });
  const legs = () => live.get('acme', S1)?.legs.map((l) => l.state);
  const f = session(S1, 'acme', [
    started('acme', 'inbound', '+1', '+2'),
    { type: 'leg.created', legId: 'x.1', role: 'caller', direction: 'in', party: { kind: 'phone', number: '+1' } },
    { type: 'leg.created', legId: 'x.2', role: 'callee', direction: 'out', party: { kind: 'sip', number: '101' } },
    { type: 'leg.created', legId: 'x.3', role: 'callee', direction: 'out', party: { kind: 'sip', number: '102' } },
    { type: 'leg.ringing', legId: 'x.2' },
    { type: 'leg.failed', legId: 'x.3', result: 'BUSY', cause: 'busy' },
    { type: 'leg.answered', legId: 'x.2' },
    { type: 'leg.answered', legId: 'x.1' },
    { type: 'leg.ended', legId: 'x.2', by: 'remote', cause: 'normal' },
    { type: 'session.ended', hangupBy: { kind: 'sip', number: '101' }, cause: 'normal' },
  ] as never);
  await live.record(...f.slice(0, 4));
  assert.deepEqual(legs(), ['ringing', 'dialing', 'dialing']);
  assert.equal(live.get('acme', S1)?.state, 'ringing');
  await live.record(...f.slice(4, 6));
  assert.deepEqual(legs(), ['ringing', 'ringing', 'ended']);
  assert.equal(live.get('acme', S1)?.state, 'ringing', 'a failed fork does not end the call');
  await live.record(...f.slice(6, 8));
  assert.deepEqual(legs(), ['answered', 'answered', 'ended']);
  assert.equal(live.get('acme', S1)?.state, 'answered');
  assert.equal(live.get('beta', S1), undefined, 'another account does not see it');
  await live.record(f[8]!);
  assert.equal(live.get('acme', S1)?.state, 'ending');
  await live.record(f[9]!);
  assert.deepEqual(live.list('acme'), []);

  await live.record(...session(S2, 'acme', [
    { ...started('acme', 'inbound', '+1', '102'), transferOf: { sessionId: S1, callId: '1.1.1' } },
    { type: 'leg.created', legId: 'y.1', role: 'caller', direction: 'in', party: { kind: 'phone', number: '+1' } },
  ] as never));
  const t2 = live.get('acme', S2)!;
  assert.equal(t2.state, 'answered');
  assert.deepEqual(t2.legs.map((l) => l.state), ['answered']);
  live.markEnding(S2);
  assert.equal(live.list('acme')[0]!.state, 'ending');
  t2.legs.length = 0;
  assert.equal(live.get('acme', S2)!.legs.length, 1, 'a snapshot is a copy');
});
