import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountRecord, AgentPresenceRecord, Store, UserRecord } from '../../store/store.js';
import type { Registrar } from '../../sip/index.js';
import { dialRounds } from './dial-targets.js';
import { DialOrder } from './dial-order.js';

const user = (id: number, extension: string): UserRecord => ({ id, accountId: 'acc', name: `U${id}`, email: `u${id}@x.test`, role: 'user', extension, pin: `${id}`, available: true, sip: { username: extension } }) as unknown as UserRecord;
const users = [user(501, '101'), user(502, '102'), user(503, '103')];
const presence: AgentPresenceRecord[] = [{ accountId: 'acc', userId: 502, presence: 'paused', since: 0 }];

const store = {
  getUser: async (id: number) => users.find((u) => u.id === id),
  listAgentPresence: async () => presence,
  findUserByExtension: async (_a: string, ext: string) => users.find((u) => u.extension === ext),
  listRingGroups: async () => [{ id: 'sales', accountId: 'acc', name: 'Sales', number: '100', strategy: 'round-robin', members: [503, 501], timeoutSeconds: 99 }],
  getTrunk: async () => ({ name: 'carrier', host: 'carrier.example', port: 5060, transport: 'udp' }),
  listTrunks: async () => [],
} as unknown as Store;
// Every user has one registered device, at its extension.
const registrar = { lookup: async (id: string) => [{ aor: `sip:${id}@ringside`, uri: `sip:${id}@10.0.0.${id.slice(-1)}`, destination: { host: '10.0.0.1', port: 5060 } }] } as unknown as Registrar;
const deps = { store, registrar, publicHost: 'ringside.example' };
const account = { id: 'acc', trunk: 'carrier' } as AccountRecord;
const caller = { kind: 'phone' as const, number: '+15557654321' };
const base = { account, caller, timeoutMs: 30_000, key: 'f/d' };
const who = (rounds: Awaited<ReturnType<typeof dialRounds>>) => rounds.map((r) => [r.targets.map((t) => t.party.number), r.timeoutMs]);

test('users: the paused agent is left out, as a line leaves them out; ring-all is one round', async () => {
  assert.deepEqual(who(await dialRounds(deps, new DialOrder(), { ...base, target: { users: [501, 502, 503] } })), [[['101', '103'], 30_000]]);
});

test('round-robin: one user a round, an equal share of the timeout each, rotating per node', async () => {
  const order = new DialOrder();
  const r = { ...base, target: { users: [501, 503] }, strategy: 'round-robin' as const };
  assert.deepEqual(who(await dialRounds(deps, order, r)), [[['101'], 15_000], [['103'], 15_000]]);
  assert.deepEqual(who(await dialRounds(deps, order, r)), [[['103'], 15_000], [['101'], 15_000]]);
});

test('a ring group gives its members; the node\'s strategy (default ring-all) and timeout apply', async () => {
  assert.deepEqual(who(await dialRounds(deps, new DialOrder(), { ...base, target: { ringGroup: 'sales' } })), [[['103', '101'], 30_000]]);
});

test('a number: an extension rings that user whatever the presence; anything else goes out through the trunk with the caller\'s number', async () => {
  assert.deepEqual(who(await dialRounds(deps, new DialOrder(), { ...base, target: { number: '102' } })), [[['102'], 30_000]]);
  const [round] = await dialRounds(deps, new DialOrder(), { ...base, target: { number: '+15559990000' } });
  const t = round!.targets[0]!;
  assert.equal(t.party.number, '+15559990000');
  assert.equal(t.callerId, caller.number);
  assert.equal(t.requests[0]!.to, 'sip:+15559990000@carrier.example:5060');
});
