import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteOutbox } from './sqlite-outbox.js';
import type { NewOutboxRow } from './webhook-outbox.js';

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-outbox-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'ringside.db');
}

const row = (sessionId: string, n: number, webhookId = 'w1', accountId = 'acme'): NewOutboxRow => ({
  accountId,
  webhookId,
  sessionId,
  eventId: `${sessionId}-${n}`,
  position: n,
  dialect: 'teltel',
  name: 'RING',
  payload: JSON.stringify({ n }),
});

test('rows and the fed position commit together and survive a reopen', async (t) => {
  const file = tempFile(t);
  const a = new SqliteOutbox(file);
  assert.equal(await a.feedPosition(), undefined);
  const stored = await a.feed([row('s1', 1), row('s2', 2), row('s1', 3)], 3);
  assert.deepEqual(stored.map((r) => r.id), [1, 2, 3]);
  assert.equal(stored[0]!.state, 'pending');
  await a.feed([], 7);
  await a.close();
  const b = new SqliteOutbox(file);
  t.after(() => b.close());
  assert.equal(await b.feedPosition(), 7);
  assert.deepEqual((await b.pending('acme', 'w1', 0, 10)).map((r) => r.eventId), ['s1-1', 's2-2', 's1-3']);
  assert.deepEqual((await b.pending('acme', 'w1', 0, 10, { sessionId: 's1', upTo: 2 })).map((r) => r.eventId), ['s1-1']);
  assert.deepEqual(await b.pendingSubscriptions(), [{ accountId: 'acme', webhookId: 'w1' }]);
});

test('acknowledge removes; attempts are recorded; dead letters are listed per account and replayed as new rows', async (t) => {
  const o = new SqliteOutbox(tempFile(t));
  t.after(() => o.close());
  const [r1, r2, r3] = await o.feed([row('s1', 1), row('s1', 2), row('s9', 3, 'w1', 'other')], 3);
  await o.acknowledge(r1!.id);
  const attempt = { attempts: 2, nextAttemptAt: 5000, firstAttemptAt: 1000, lastAttemptAt: 2000, lastStatus: 503, lastError: 'primary: HTTP 503' };
  await o.recordAttempt(r2!.id, attempt);
  const [p2] = await o.pending('acme', 'w1', 0, 10);
  assert.deepEqual({ attempts: p2!.attempts, next: p2!.nextAttemptAt, status: p2!.lastStatus, error: p2!.lastError }, { attempts: 2, next: 5000, status: 503, error: 'primary: HTTP 503' });
  await o.deadLetter(r2!.id, { ...attempt, attempts: 3 });
  await o.deadLetter(r3!.id, attempt);
  assert.deepEqual(await o.counts(), { pending: 0, dead: 2 });
  const dead = await o.listDeadLetters('acme', { limit: 10 });
  assert.deepEqual(dead.map((d) => [d.eventId, d.attempts, d.deadAt]), [['s1-2', 3, 2000]]);
  assert.equal(await o.getDeadLetter('other', r2!.id), undefined, 'scoped to the account');
  assert.deepEqual(await o.replay('other', [r2!.id]), [], 'another account cannot replay it');
  const [again] = await o.replay('acme', [r2!.id]);
  assert.ok(again!.id > r3!.id, 'a replayed event is a new row, after everything queued');
  assert.equal(again!.attempts, 0);
  assert.equal(again!.payload, r2!.payload);
  assert.deepEqual(await o.counts(), { pending: 1, dead: 1 });
  assert.equal(await o.discardDeadLetter('other', r3!.id), true);
  assert.equal(await o.purgeSubscription('acme', 'w1'), 1);
  assert.deepEqual(await o.counts(), { pending: 0, dead: 0 });
});

test('writes in one turn share a commit; a failing one does not fail the others', async (t) => {
  const o = new SqliteOutbox(tempFile(t));
  t.after(() => o.close());
  const bad = { ...row('s1', 1), payload: null as unknown as string };
  const results = await Promise.allSettled([o.feed([row('s1', 1)], 1), o.feed([bad], 2), o.feed([row('s1', 3)], 3)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal(await o.feedPosition(), 3);
  assert.equal((await o.pending('acme', 'w1', 0, 10)).length, 2);
});
