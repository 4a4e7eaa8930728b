/**
 * What PostgresOutbox adds to the contract (outbox-contract.ts) for a cluster: feeding is idempotent across
 * nodes sharing one schema, and the fed position never moves back. Skipped loudly without PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgUnavailable, testSchemaUrl } from '../../test/support/pg-test-database.js';
import { outboxRow as row } from './outbox-contract.js';
import { PgDatabase } from './pg-database.js';
import { PostgresOutbox } from './postgres-outbox.js';

const skip = await pgUnavailable();

/** Two nodes: two pools on one schema, each with its own outbox. */
async function twoNodes(t: { after(fn: () => Promise<void>): void }) {
  const url = testSchemaUrl();
  const dbs = [new PgDatabase(url, { max: 4 }), new PgDatabase(url, { max: 4 })];
  // Both migrate at once, as nodes starting together do: the advisory lock makes it safe.
  const [a, b] = await Promise.all(dbs.map((db) => PostgresOutbox.open(db)));
  t.after(async () => {
    await a!.close();
    await b!.close();
    await dbs[0]!.dropSchema();
    for (const db of dbs) await db.close();
  });
  return { a: a!, b: b! };
}

test('a page fed again by another node inserts nothing, even after its rows were delivered', { skip }, async (t) => {
  const { a, b } = await twoNodes(t);
  const page = [row('s1', 1), row('s2', 2), row('s1', 3)];
  const stored = await a.feed(page, 3);
  for (const r of stored) await a.acknowledge(r.id);
  assert.deepEqual(await b.feed(page, 3), [], 'covered by the stored position');
  const overlap = await b.feed([row('s1', 3), row('s2', 4), row('s1', 5)], 5);
  assert.deepEqual(
    overlap.map((r) => r.eventId),
    ['s2-4', 's1-5'],
    'only the rows past the stored position',
  );
  assert.deepEqual(
    (await a.pending('acme', 'w1', 0, 10)).map((r) => r.eventId),
    ['s2-4', 's1-5'],
  );
  await a.feed([], 2);
  assert.equal(await b.feedPosition(), 5, 'the fed position never moves back');
});

test('two nodes feeding the same pages at once store each row once', { skip }, async (t) => {
  const { a, b } = await twoNodes(t);
  const pages = Array.from({ length: 10 }, (_, p) => Array.from({ length: 20 }, (_, i) => row(`s${i % 4}`, p * 20 + i + 1)));
  const fed = await Promise.all(
    [a, b].map(async (node) => {
      const mine = [];
      for (const page of pages) mine.push(...(await node.feed(page, page[page.length - 1]!.position)));
      return mine;
    }),
  );
  assert.equal(fed[0]!.length + fed[1]!.length, 200, 'every row returned by exactly one node');
  const all = await a.pending('acme', 'w1', 0, 1000);
  assert.deepEqual(
    all.map((r) => r.position),
    Array.from({ length: 200 }, (_, i) => i + 1),
    'each once, in id order = log order',
  );
  assert.equal(await a.feedPosition(), 200);
});

test('a replayed dead letter is a new row after rows fed meanwhile by another node', { skip }, async (t) => {
  const { a, b } = await twoNodes(t);
  const [r1] = await a.feed([row('s1', 1)], 1);
  await a.deadLetter(r1!.id, { attempts: 1, nextAttemptAt: 1, firstAttemptAt: 1, lastAttemptAt: 1 });
  const [replayed, [fed]] = await Promise.all([b.replay('acme', [r1!.id]), a.feed([row('s1', 2)], 2)]);
  assert.equal(replayed.length, 1);
  assert.notEqual(replayed[0]!.id, fed!.id);
  assert.deepEqual(await a.counts(), { pending: 2, dead: 0 });
});
