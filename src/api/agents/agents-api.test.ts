/**
 * The agents REST (docs/call-centre.md, "Agents"): the list with presence (stored, default, busy from the
 * switch's live sessions), setting it, roles and account scoping, and bad input refused with a 400 naming
 * the field before anything is stored. A real SqliteStore and the switch's real live-session snapshot fed
 * with facts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyTestApp } from '../shared/family-test-app.js';
import { LiveSessions } from '../../switch/live-sessions.js';
import type { Fact } from '../../events/model/facts.js';
import { agentsApi } from './agents-api.js';

const user = (id: number, name: string, role: string, ext: string | undefined, own = false) =>
  `      - { id: ${id}, name: ${name}, email: ${name.toLowerCase()}@x.test, password: pw-${id}, role: ${role}, ${ext ? `extension: "${ext}", ` : ''}pin: "900${id}", ownRecordsOnly: ${own}, sip: { username: "u${id}", password: sip-${id} } }\n`;
const CONFIG =
  'accounts:\n' +
  '  - id: acme\n    name: Acme\n    voiceApi: { userId: u-acme, apiToken: t-acme, apiSecret: s-acme }\n    users:\n' +
  user(1, 'Alice', 'admin', '101') + user(2, 'Bob', 'user', '102') + user(3, 'Mona', 'manager', '103', true) + user(4, 'Nell', 'user', undefined) +
  '  - id: beta\n    name: Beta\n    users:\n' + user(9, 'Eve', 'admin', '901');

const basic = (a: string, b: string) => 'Basic ' + Buffer.from(`${a}:${b}`).toString('base64');
const T0 = 1_700_000_000_000;

async function harness(t: { after: (fn: () => Promise<void>) => void }) {
  const live = new LiveSessions({ record: async () => undefined });
  let clock = T0;
  const { app, store, bearer: token } = await familyTestApp(t, CONFIG, (server, db) => server.register(agentsApi, { store: db, calls: { live }, now: () => clock }));
  const as = (authorization: string) => ({
    list: () => app.inject({ method: 'GET', url: '/agents', headers: { authorization } }),
    set: (userId: number | string, body: unknown) => app.inject({ method: 'PUT', url: `/agents/${userId}/presence`, headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
  });
  return {
    app, store, live,
    tick: (ms: number) => (clock += ms),
    alice: as(await token(1, 'acme')), bob: as(await token(2, 'acme')), mona: as(await token(3, 'acme')), eve: as(await token(9, 'beta')), api: as(basic('t-acme', 's-acme')),
  };
}

/** A session's facts, stamped in order from `at`. */
function session(sessionId: string, at: number, facts: Omit<Fact, 'sessionId' | 'at'>[]): Fact[] {
  return facts.map((f, i) => ({ ...f, sessionId, at: at + i * 1000 }) as Fact);
}

test('GET /agents: every user of the account, available by default, with extension when they have one', async (t) => {
  const h = await harness(t);
  const res = await h.alice.list();
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), {
    agents: [
      { userId: 1, name: 'Alice', presence: 'available', since: null, setPresence: 'available', extension: '101' },
      { userId: 2, name: 'Bob', presence: 'available', since: null, setPresence: 'available', extension: '102' },
      { userId: 3, name: 'Mona', presence: 'available', since: null, setPresence: 'available', extension: '103' },
      { userId: 4, name: 'Nell', presence: 'available', since: null, setPresence: 'available' },
    ],
  });
  assert.deepEqual((await h.api.list()).json().agents.map((a: { userId: number }) => a.userId), [1, 2, 3, 4], 'voice-API credentials are account-wide');
  assert.deepEqual((await h.eve.list()).json().agents.map((a: { userId: number }) => a.userId), [9], 'another account sees its own');
  assert.deepEqual((await h.bob.list()).json().agents.map((a: { userId: number }) => a.userId), [2], 'a user sees only itself');
  assert.deepEqual((await h.mona.list()).json().agents.map((a: { userId: number }) => a.userId), [3], 'own-records-only: only itself');
  assert.equal((await h.app.inject('/agents')).statusCode, 401);
});

test('PUT /agents/{userId}/presence: set, listed with its time, and busy shown over it while a call is up', async (t) => {
  const h = await harness(t);
  const res = await h.alice.set(2, { presence: 'paused' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { userId: 2, name: 'Bob', presence: 'paused', since: T0, setPresence: 'paused', extension: '102' });
  h.tick(5000);
  assert.equal((await h.bob.set(2, { presence: 'logged-out' })).statusCode, 200, 'a user sets its own');
  assert.deepEqual((await h.bob.list()).json().agents, [{ userId: 2, name: 'Bob', presence: 'logged-out', since: T0 + 5000, setPresence: 'logged-out', extension: '102' }]);
  // Bob answers a line call (device leg answered); Alice's phone only rings: she is not busy.
  const S1 = 'a'.repeat(32);
  await h.live.record(
    ...session(S1, T0 + 10_000, [
      { type: 'session.started', accountId: 'acme', accountcode: 'acme', kind: 'inbound', callId: '1.1', from: { kind: 'phone', number: '+15550001' }, to: { kind: 'phone', number: '+15550100' } },
      { type: 'leg.created', legId: `${S1}.1`, role: 'caller', direction: 'in', party: { kind: 'phone', number: '+15550001' } },
      { type: 'leg.created', legId: `${S1}.2`, role: 'callee', direction: 'out', party: { kind: 'sip', number: '102', userId: '2', name: 'Bob' } },
      { type: 'leg.created', legId: `${S1}.3`, role: 'callee', direction: 'out', party: { kind: 'sip', number: '101', userId: '1', name: 'Alice' } },
      { type: 'leg.ringing', legId: `${S1}.3` },
      { type: 'leg.answered', legId: `${S1}.2` },
    ] as never),
  );
  const agents = (await h.alice.list()).json().agents as { userId: number; presence: string; since: number; setPresence: string }[];
  assert.deepEqual(agents.find((a) => a.userId === 2), { userId: 2, name: 'Bob', presence: 'busy', since: T0 + 15_000, setPresence: 'logged-out', extension: '102' });
  assert.equal(agents.find((a) => a.userId === 1)!.presence, 'available', 'ringing is not busy');
  // Nell places a call from her phone: busy from her INVITE.
  const S2 = 'b'.repeat(32);
  await h.live.record(
    ...session(S2, T0 + 20_000, [
      { type: 'session.started', accountId: 'acme', accountcode: 'acme', kind: 'outbound', callId: '1.2', from: { kind: 'sip', number: 'u4', userId: '4' }, to: { kind: 'phone', number: '+15559999' } },
      { type: 'leg.created', legId: `${S2}.1`, role: 'caller', direction: 'in', party: { kind: 'sip', number: 'u4', userId: '4' } },
    ] as never),
  );
  assert.equal(((await h.alice.list()).json().agents as { userId: number; presence: string }[]).find((a) => a.userId === 4)!.presence, 'busy');
  await h.live.record(...session(S1, T0 + 30_000, [{ type: 'leg.ended', legId: `${S1}.2`, cause: 'normal', endedBy: 'remote' }] as never));
  assert.equal(((await h.alice.list()).json().agents as { userId: number; presence: string }[]).find((a) => a.userId === 2)!.presence, 'logged-out', 'back to what he set once the call is down');
  assert.equal((await h.store.getAgentPresence(2))?.presence, 'logged-out', 'kept in the store');
});

test('roles and scoping: a user sets only itself (403), a user outside the account or none is 404', async (t) => {
  const h = await harness(t);
  const bobOnAlice = await h.bob.set(1, { presence: 'paused' });
  assert.equal(bobOnAlice.statusCode, 403);
  assert.equal(bobOnAlice.json().error, 'forbidden');
  assert.equal((await h.mona.set(2, { presence: 'paused' })).statusCode, 403, 'own-records-only manager');
  assert.equal((await h.mona.set(3, { presence: 'paused' })).statusCode, 200, '…but herself');
  assert.equal((await h.api.set(2, { presence: 'paused' })).statusCode, 200, 'voice-API credentials set anyone of the account');
  const other = await h.alice.set(9, { presence: 'paused' });
  assert.equal(other.statusCode, 404);
  assert.deepEqual(other.json(), { success: false, error: 'not_found', message: 'no user 9 in account acme' });
  assert.equal((await h.bob.set(9, { presence: 'paused' })).statusCode, 404, 'another account is 404 for a user too');
  assert.equal((await h.alice.set(12345, { presence: 'paused' })).statusCode, 404);
  assert.equal(await h.store.getAgentPresence(1), undefined);
  assert.equal(await h.store.getAgentPresence(9), undefined);
  assert.equal((await h.app.inject({ method: 'PUT', url: '/agents/1/presence', payload: { presence: 'paused' } })).statusCode, 401);
});

test('bad input is a 400 naming the field, and stores nothing', async (t) => {
  const h = await harness(t);
  const cases: [number | string, unknown, RegExp][] = [
    [2, { presence: 'busy' }, /body\.presence must be one of "available", "paused", "logged-out"/],
    [2, { presence: 'away' }, /body\.presence must be one of/],
    [2, {}, /missing required property 'presence'/],
    [2, { presence: 'paused', colour: 'red' }, /unknown property 'colour'/],
    [2, { presence: 1 }, /body\.presence/],
    [2, [], /body/],
    [2, 'paused', /body/],
    [2, null, /body/],
    ['bob', { presence: 'paused' }, /params\.userId must be integer/],
    [0, { presence: 'paused' }, /params\.userId/],
    ['1e400', { presence: 'paused' }, /params\.userId/],
    ['99999999999999999999', { presence: 'paused' }, /params\.userId/],
    ['-1', { presence: 'paused' }, /params\.userId/],
  ];
  for (const [id, body, message] of cases) {
    const res = await h.alice.set(id, body);
    assert.equal(res.statusCode, 400, `${id} ${JSON.stringify(body)}: ${res.body}`);
    assert.equal(res.json().error, 'bad_request');
    assert.match(res.json().message, message);
  }
  const token = (await h.store.createAuthSession(1, 'acme', 60, 60)).token;
  const broken = await h.app.inject({ method: 'PUT', url: '/agents/2/presence', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"presence":' });
  assert.equal(broken.statusCode, 400);
  assert.deepEqual(await h.store.listAgentPresence('acme'), [], 'nothing was stored');
});
