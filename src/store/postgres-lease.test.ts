/**
 * PostgresLease: one holder at a time, renewal by the holder, takeover after expiry, release. Skipped loudly
 * without PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pgUnavailable, testSchemaUrl } from '../../test/support/pg-test-database.js';
import { PgDatabase } from './pg-database.js';
import { PostgresLease } from './postgres-lease.js';

const skip = await pgUnavailable();

test('one holder at a time; the holder renews; a survivor takes it after expiry; release frees it', { skip }, async (t) => {
  const db = new PgDatabase(testSchemaUrl(), { max: 4 });
  t.after(async () => {
    await db.dropSchema();
    await db.close();
  });
  const [lease, again] = await Promise.all([PostgresLease.open(db), PostgresLease.open(db)]);
  assert.equal(await lease.holder('webhooks'), undefined);
  const raced = await Promise.all(['A', 'B', 'C'].map((h) => lease.acquire('webhooks', h, 300)));
  assert.equal(raced.filter(Boolean).length, 1, 'exactly one of three racing nodes gets it');
  const first = ['A', 'B', 'C'][raced.indexOf(true)]!;
  const other = first === 'A' ? 'B' : 'A';
  assert.equal(await again.holder('webhooks'), first);
  await sleep(150);
  assert.equal(await lease.acquire('webhooks', first, 300), true, 'renewed by its holder');
  await sleep(200);
  assert.equal(await lease.acquire('webhooks', other, 300), false, 'still held: the renewal moved the expiry');
  assert.equal(await lease.acquire('other-job', other, 300), true, 'leases are per name');
  await sleep(350);
  assert.equal(await lease.holder('webhooks'), undefined, 'expired');
  assert.equal(await lease.acquire('webhooks', other, 300), true, 'a survivor takes it over');
  assert.equal(await lease.acquire('webhooks', first, 300), false, 'the old holder does not get it back');
  await lease.release('webhooks', first);
  assert.equal(await lease.holder('webhooks'), other, 'only the holder can release');
  await lease.release('webhooks', other);
  assert.equal(await lease.acquire('webhooks', first, 300), true, 'free at once after release');
});
