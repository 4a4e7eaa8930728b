/**
 * Webhook delivery in a cluster (docs/scale-out.md): two engines (nodes A and B), each with its own pool
 * and PostgresOutbox on one throw-away schema, feeding from one shared event log, sending to one real HTTP
 * receiver. The delivery lease (PostgresLease) makes one node deliver at a time: every event arrives, in
 * order per session; when the leader dies without releasing the lease the other takes over once it expires,
 * losing nothing (the event the dead node had in flight may arrive twice: at least once, idempotent by id).
 * Skipped loudly without PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pgUnavailable, testSchemaUrl } from '../support/pg-test-database.js';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { PgDatabase } from '../../src/store/pg-database.js';
import { PostgresOutbox } from '../../src/store/postgres-outbox.js';
import { PostgresLease } from '../../src/store/postgres-lease.js';
import { WebhookEngine } from '../../src/delivery/webhooks/webhook-engine.js';
import { FAST, Receiver, sleep, tempDir, wireEvent, type Received } from './support.js';

const skip = await pgUnavailable();
const TTL = 600;

type T = { after(fn: () => unknown): void };

async function cluster(t: T) {
  const dir = tempDir(t, 'ringside-cluster-');
  // One log for the cluster (JetStream's role at scale); the store holds the subscriptions.
  const log = new SqliteEventLog(join(dir, 'events.db'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  const receiver = await Receiver.start(t);
  await store.putWebhook({ id: 'hook1', accountId: 'acme', source: 'api', url: receiver.url(), dialect: 'teltel', method: 'POST', events: [] });
  const url = testSchemaUrl();
  const node = async (name: string) => {
    const db = new PgDatabase(url, { max: 4 });
    const outbox = await PostgresOutbox.open(db);
    const lease = (await PostgresLease.open(db)).handle('webhooks', name, TTL);
    let crashed = false;
    const engine = new WebhookEngine({
      events: log,
      store,
      outbox,
      ...FAST,
      startAt: 'beginning',
      userAgent: `node-${name}`,
      leaseRenewMs: 100,
      lease: {
        ttlMs: TTL,
        acquire: () => (crashed ? Promise.reject(new Error('node is dead')) : lease.acquire()),
        release: () => (crashed ? Promise.resolve() : lease.release()),
      },
    });
    return {
      db,
      outbox,
      engine,
      /** Dies: no acknowledgement commits any more, nothing is sent, the lease is not released. */
      async crash() {
        crashed = true;
        await outbox.close();
        await engine.stop();
      },
    };
  };
  const a = await node('A');
  const b = await node('B');
  t.after(async () => {
    for (const n of [a, b]) {
      await n.engine.stop();
      await n.outbox.close();
    }
    await a.db.dropSchema();
    await a.db.close();
    await b.db.close();
    await log.close();
    await store.close();
  });
  const holder = async () => (await PostgresLease.open(a.db)).holder('webhooks');
  let seq = 0;
  /** `perSession` more events for each of `sessions` sessions, interleaved, in batches as the recorder does. */
  const append = async (sessions: number, perSession: number) => {
    for (let i = 0; i < perSession; i++, seq++) await log.append({ facts: [], events: Array.from({ length: sessions }, (_, s) => wireEvent(`s${s}`, seq)) });
  };
  return { log, receiver, a, b, holder, append, total: () => seq };
}

const bodyOf = (r: Received) => JSON.parse(r.body) as { session_id: string; seq: number };
const nodeOf = (r: Received) => String(r.headers['user-agent']);

/** Per session, the arrivals with immediate repeats collapsed must be strictly increasing: an event is
 *  only ever sent again right after itself (the one in flight when a node died), never after a later one. */
function assertOrdered(requests: readonly Received[]): number {
  const last = new Map<string, number>();
  let repeats = 0;
  for (const r of requests) {
    const { session_id, seq } = bodyOf(r);
    const prev = last.get(session_id);
    if (prev === seq) {
      repeats++;
      continue;
    }
    assert.ok(prev === undefined || seq > prev, `session ${session_id}: ${seq} arrived after ${prev}`);
    last.set(session_id, seq);
  }
  return repeats;
}

test('two nodes, one lease: one node delivers; when it dies the other takes over after expiry; nothing lost, order kept', { skip }, async (t) => {
  const c = await cluster(t);
  await c.a.engine.start();
  await c.b.engine.start();
  assert.equal(await c.holder(), 'A', 'the first to start holds the lease');

  const SESSIONS = 8;
  await c.append(SESSIONS, 10);
  await c.receiver.waitFor(() => c.receiver.ackedIds().size === c.total() * SESSIONS, 10_000, 'first batch');
  assert.ok(
    c.receiver.requests.every((r) => nodeOf(r) === 'node-A'),
    'only the lease holder delivers',
  );
  assert.equal(c.receiver.requests.length, c.total() * SESSIONS, 'each event once');
  assert.equal(c.b.engine.stats.delivered, 0);
  assert.deepEqual([c.a.engine.stats.delivering, c.b.engine.stats.delivering], [true, false]);

  // Slow answers, so that events are in flight when A dies.
  c.receiver.behaviour = () => ({ delayMs: 25 });
  await c.append(SESSIONS, 20);
  await c.receiver.waitFor(() => c.receiver.requests.length >= 20 * SESSIONS + SESSIONS * 4, 10_000, 'A under way');
  const diedAt = Date.now();
  await c.a.crash();
  const beforeTakeover = c.receiver.requests.length;
  // Events logged while nobody delivers are fed by the survivor from the stored position.
  await c.append(SESSIONS, 5);

  const expected = c.total() * SESSIONS;
  await c.receiver.waitFor(() => c.receiver.ackedIds().size === expected, 15_000, 'every event after takeover');
  const firstB = c.receiver.requests.findIndex((r) => nodeOf(r) === 'node-B');
  assert.ok(firstB >= beforeTakeover, 'B sent nothing while A held the lease');
  assert.ok(c.receiver.requests.slice(firstB).every((r) => nodeOf(r) === 'node-B'), 'after takeover only B delivers');
  const takeoverMs = c.receiver.requests[firstB]!.at - diedAt;
  assert.ok(takeoverMs >= TTL * 0.5, `B waited for the lease to expire (${takeoverMs} ms)`);
  assert.equal(await c.holder(), 'B');
  assert.equal(c.b.engine.stats.delivering, true);

  const repeats = assertOrdered(c.receiver.requests);
  assert.ok(repeats <= SESSIONS, `at most the event in flight per session is sent again (${repeats})`);
  assert.equal(c.receiver.requests.length, expected + repeats);
  // The last acknowledgement commits just after the receiver answered.
  let counts = await c.b.outbox.counts();
  for (let i = 0; i < 50 && counts.pending > 0; i++) counts = await sleep(20).then(() => c.b.outbox.counts());
  assert.deepEqual(counts, { pending: 0, dead: 0 });
  t.diagnostic(`takeover after ${takeoverMs} ms (TTL ${TTL} ms); ${repeats} event(s) sent again`);
});

test('a node that stops gracefully releases the lease: the other takes over at its next renewal', { skip }, async (t) => {
  const c = await cluster(t);
  await c.a.engine.start();
  await c.b.engine.start();
  await c.append(4, 5);
  await c.receiver.waitFor(() => c.receiver.ackedIds().size === 20, 10_000, 'first batch');
  const stoppedAt = Date.now();
  await c.a.engine.stop();
  await c.append(4, 5);
  await c.receiver.waitFor(() => c.receiver.ackedIds().size === 40, 10_000, 'second batch');
  const firstB = c.receiver.requests.find((r) => nodeOf(r) === 'node-B')!;
  assert.ok(firstB.at - stoppedAt < TTL, `taken over before the TTL (${firstB.at - stoppedAt} ms)`);
  assert.equal(c.receiver.requests.length, 40, 'nothing sent twice');
  assert.equal(assertOrdered(c.receiver.requests), 0);
});
