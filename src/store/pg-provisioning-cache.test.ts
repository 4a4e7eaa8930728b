/**
 * The per-node provisioning cache against the races of async reads, with a real listener on the test
 * server; the loads are functions the test controls, so each interleaving happens on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgDatabase } from './pg-database.js';
import { PgProvisioningCache } from './pg-provisioning-cache.js';
import { pgUnavailable, testSchemaUrl } from '../../test/support/pg-test-database.js';

const skip = await pgUnavailable();

async function started(t: { after(fn: () => Promise<void>): void }): Promise<{ cache: PgProvisioningCache; db: PgDatabase }> {
  const db = new PgDatabase(testSchemaUrl(), { max: 2 });
  const cache = new PgProvisioningCache(db);
  await cache.start();
  t.after(async () => {
    await cache.close();
    await db.close();
  });
  return { cache, db };
}

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('a value found is loaded once; one not found is asked for each time', { skip }, async (t) => {
  const { cache } = await started(t);
  let loads = 0;
  const a = await cache.get('k', async () => (loads++, { v: 1 }));
  assert.equal(await cache.get('k', async () => (loads++, { v: 2 })), a);
  assert.equal(loads, 1);
  for (let i = 0; i < 2; i++) await cache.get('missing', async () => void loads++);
  assert.equal(loads, 3);
});

test('a read that was running when the data changed is returned but not kept', { skip }, async (t) => {
  const { cache } = await started(t);
  const old = deferred<{ v: number }>();
  const reading = cache.get('k', () => old.promise);
  cache.invalidate();
  old.resolve({ v: 1 });
  assert.deepEqual(await reading, { v: 1 });
  assert.deepEqual(await cache.get('k', async () => ({ v: 2 })), { v: 2 }, 'the stale row was not kept');
});

test('a notification from another connection\'s commit clears the cache, a rolled-back one does not', { skip }, async (t) => {
  const { cache, db } = await started(t);
  await cache.get('k', async () => ({ v: 1 }));
  // Another node's notification (its own instance id as payload; a node ignores its own: test below).
  const otherNode = (client: { query(sql: string, args: unknown[]): Promise<unknown> }) => client.query('SELECT pg_notify($1, $2)', [cache.channel, 'another-node']);
  const rolledBack = db.transaction(async (client) => {
    await otherNode(client);
    throw new Error('roll back');
  });
  await assert.rejects(rolledBack, /roll back/);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await cache.get('k', async () => ({ v: 2 })), { v: 1 }, 'nothing committed, nothing dropped');
  await db.transaction((client) => otherNode(client));
  const deadline = Date.now() + 2000;
  while ((await cache.get('k', async () => ({ v: 3 })))?.v !== 3) {
    assert.ok(Date.now() < deadline, 'the notification arrives');
    await new Promise((r) => setTimeout(r, 5));
  }
});

test('a node\'s own notification is ignored (it invalidated at its own commit; other nodes\' are in the test above)', { skip }, async (t) => {
  const { cache, db } = await started(t);
  // A read spans this node's own notification: nothing moved for it, so its row is kept.
  const row = deferred<{ v: number }>();
  const reading = cache.get('k', () => row.promise);
  await db.transaction((client) => cache.notify(client));
  await new Promise((r) => setTimeout(r, 200)); // the notification has reached the listener
  row.resolve({ v: 1 });
  const kept = await reading;
  assert.equal(await cache.get('k', async () => ({ v: 2 })), kept, 'kept: its own notification did not drop it');
});

test('nothing is cached before the listener is connected or after close', { skip }, async () => {
  const db = new PgDatabase(testSchemaUrl(), { max: 1 });
  const cache = new PgProvisioningCache(db);
  let loads = 0;
  await cache.get('k', async () => (loads++, 1));
  await cache.get('k', async () => (loads++, 1));
  assert.equal(loads, 2);
  await cache.start();
  await cache.close();
  await cache.get('k', async () => (loads++, 1));
  await cache.get('k', async () => (loads++, 1));
  assert.equal(loads, 4);
  await db.close();
});
