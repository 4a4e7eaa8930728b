/**
 * The agent pool (agent-pool.ts): who is free (presence, provisioning flag, account, calls here, leases),
 * the three strategies, leases and their release, the change notifications, and two reserves racing for one
 * agent. Runs over AgentWorld (agent-world.ts: why its store is a fake) and, once, over a real SqliteStore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentWorld } from './agent-world.js';
import { AgentPool } from './agent-pool.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseConfig } from '../../config/load-config.js';
import { LiveSessions } from '../live-sessions.js';

const world = () =>
  new AgentWorld([
    { id: 1, accountId: 'acme' },
    { id: 2, accountId: 'acme' },
    { id: 3, accountId: 'acme' },
    { id: 4, accountId: 'acme' },
    { id: 5, accountId: 'acme', available: false },
    { id: 9, accountId: 'beta' },
  ]);

test('free: available presence (or none set), available in the provisioning, of the account; not paused, logged out, unknown or elsewhere', async () => {
  const w = world();
  const pool = w.pool();
  w.setPresence(2, 'paused');
  w.setPresence(3, 'logged-out');
  w.setPresence(4, 'available');
  assert.deepEqual(await pool.free('acme', [1, 2, 3, 4, 5, 9, 77]), [1, 4]);
  w.setPresence(1, 'paused', 'beta');
  assert.deepEqual(await pool.free('acme', [1]), [1], 'a record left from another account does not count (presenceOf)');
  assert.deepEqual(await pool.free('acme', [4, 1, 4]), [4, 1], 'candidate order, each once');
  assert.deepEqual(await pool.free('beta', [9, 1]), [9]);
  assert.equal(await pool.reserve('acme', [2, 3, 5, 9], 'ring-all', 'q'), undefined, 'nobody free: no lease');
  assert.deepEqual(await pool.free('acme', []), []);
});

test('an agent in a call here is not free; the call ending makes them free and tells onChange', async () => {
  const w = world();
  const pool = w.pool();
  const changes: string[] = [];
  pool.onChange((a) => changes.push(a));
  const call = await w.startCall(1);
  assert.deepEqual(await pool.free('acme', [1, 2]), [2]);
  assert.equal((await pool.reserve('acme', [1, 2], 'ring-all', 'q'))?.userId, 2);
  assert.equal(await pool.reserve('acme', [1, 2], 'ring-all', 'q'), undefined);
  await w.endCall(call);
  assert.deepEqual(changes, ['acme']);
  assert.equal((await pool.reserve('acme', [1, 2], 'ring-all', 'q'))?.userId, 1);
  pool.close();
  await w.endCall(await w.startCall(3));
  assert.deepEqual(changes, ['acme'], 'closed: the live sessions are no longer heard');
});

test('a lease keeps the agent from every other reserve until released; release is idempotent and tells onChange once', async () => {
  const w = world();
  const pool = w.pool();
  const changes: string[] = [];
  const off = pool.onChange((a) => changes.push(a));
  const lease = (await pool.reserve('acme', [1], 'longest-idle', 'q1'))!;
  assert.equal(lease.userId, 1);
  assert.equal(pool.isLeased('acme', 1), true);
  assert.equal(await pool.reserve('acme', [1], 'ring-all', 'q2'), undefined, 'another key does not get them');
  assert.deepEqual(await pool.free('acme', [1, 2]), [2]);
  lease.release();
  lease.release();
  assert.deepEqual(changes, ['acme']);
  assert.equal(pool.isLeased('acme', 1), false);
  const again = (await pool.reserve('acme', [1], 'ring-all', 'q2'))!;
  lease.release();
  assert.equal(pool.isLeased('acme', 1), true, "an old lease's release does not free the new one");
  again.release();
  off();
  pool.presenceChanged('acme');
  assert.equal(changes.length, 2, 'unsubscribed');
});

test('presenceChanged tells onChange; a throwing listener does not stop the others nor the releaser', async () => {
  const w = world();
  const errors: unknown[] = [];
  const pool = new AgentPool({ store: w.store, live: w.live, log: { error: (o: unknown) => errors.push(o) } as never });
  const seen: string[] = [];
  pool.onChange(() => {
    throw new Error('bug');
  });
  pool.onChange((a) => seen.push(a));
  pool.presenceChanged('beta');
  (await pool.reserve('acme', [1], 'ring-all', 'q'))!.release();
  assert.deepEqual(seen, ['beta', 'acme']);
  assert.equal(errors.length, 2);
});

test('ring-all: the first free candidate in the order given', async () => {
  const w = world();
  const pool = w.pool();
  assert.equal((await pool.reserve('acme', [3, 1, 2], 'ring-all', 'q'))?.userId, 3);
  assert.equal((await pool.reserve('acme', [3, 1, 2], 'ring-all', 'q'))?.userId, 1);
  w.setPresence(2, 'paused');
  assert.equal(await pool.reserve('acme', [3, 1, 2], 'ring-all', 'q'), undefined);
});

test('round-robin: the next free after the one this key got last, wrapping; keys are independent', async () => {
  const w = world();
  const pool = w.pool();
  const got = async (key: string) => {
    const l = (await pool.reserve('acme', [1, 2, 3, 4], 'round-robin', key))!;
    l.release();
    return l.userId;
  };
  assert.deepEqual([await got('a'), await got('a'), await got('a'), await got('a'), await got('a')], [1, 2, 3, 4, 1]);
  assert.equal(await got('b'), 1, 'key b starts from the top');
  w.setPresence(3, 'paused');
  assert.deepEqual([await got('a'), await got('a'), await got('a')], [2, 4, 1], 'a paused agent is skipped');
  const busy = await w.startCall(2);
  assert.deepEqual([await got('a'), await got('a')], [4, 1]);
  await w.endCall(busy);
  const l = (await pool.reserve('acme', [9, 8, 2], 'round-robin', 'a'))!;
  assert.equal(l.userId, 2, 'last one not a candidate: from the top');
});

test('longest-idle: never-called agents first in candidate order, then the one released longest ago', async () => {
  const clock = new ManualClock();
  const w = world();
  const pool = w.pool(() => clock.now());
  const a = (await pool.reserve('acme', [1, 2, 3], 'longest-idle', 'q'))!;
  const b = (await pool.reserve('acme', [1, 2, 3], 'longest-idle', 'q'))!;
  assert.deepEqual([a.userId, b.userId], [1, 2]);
  clock.advance(1000);
  b.release();
  clock.advance(1000);
  a.release();
  const c = (await pool.reserve('acme', [1, 2, 3], 'longest-idle', 'q'))!;
  assert.equal(c.userId, 3, 'never had a call: first');
  assert.equal((await pool.reserve('acme', [1, 2, 3], 'longest-idle', 'q'))?.userId, 2, 'released at 1000, before 1 (2000)');
  c.release();
  assert.equal((await pool.reserve('acme', [1, 2, 3], 'longest-idle', 'q'))?.userId, 1);
  assert.equal((await pool.reserve('acme', [1, 2, 3], 'longest-idle', 'q'))?.userId, 3);
});

test('two reserves racing for one free agent: one lease, the other gets nobody', async () => {
  const w = world();
  const pool = w.pool();
  const [x, y] = await Promise.all([pool.reserve('acme', [1], 'ring-all', 'q1'), pool.reserve('acme', [1], 'longest-idle', 'q2')]);
  assert.deepEqual([x?.userId, y?.userId].filter((v) => v !== undefined), [1]);
  const [p, q, r] = await Promise.all([1, 2, 3].map((i) => pool.reserve('acme', [1, 2, 3], 'round-robin', `k${i}`)));
  assert.deepEqual([p?.userId, q?.userId, r?.userId].sort(), [2, 3, undefined]);
});

test('over a real SqliteStore: presence written to the store is what the pool reads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-agent-pool-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = (id: number, available = true) => `      - { id: ${id}, name: U${id}, email: u${id}@x.test, password: pw-${id}, role: user, extension: "${id}", pin: "900${id}", available: ${available} }\n`;
  await store.replaceProvisioning(parseConfig('accounts:\n  - id: acme\n    name: Acme\n    users:\n' + user(11) + user(12) + user(13, false)));
  const pool = new AgentPool({ store, live: new LiveSessions({ record: async () => undefined }) });
  assert.deepEqual(await pool.free('acme', [11, 12, 13]), [11, 12]);
  await store.setAgentPresence({ accountId: 'acme', userId: 11, presence: 'logged-out', since: 1 });
  assert.equal((await pool.reserve('acme', [11, 12, 13], 'ring-all', 'q'))?.userId, 12);
  assert.equal(await pool.reserve('acme', [11, 12, 13], 'ring-all', 'q'), undefined);
});
