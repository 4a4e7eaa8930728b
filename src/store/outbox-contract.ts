/**
 * The WebhookOutbox contract (webhook-outbox.ts) as node:test tests, registered once per backend by
 * outbox-contract.test.ts: one suite, every implementation (SQLite, PostgreSQL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutboxClosedError, type NewOutboxRow, type OutboxRow, type WebhookOutbox } from './webhook-outbox.js';

/** One throw-away storage (a file, a schema) for one test; `open` may be called again to reopen it. */
export interface OutboxBackend {
  open(): Promise<WebhookOutbox>;
  /** Removes the storage; every outbox opened on it is closed first. */
  dispose(): Promise<void>;
}

export interface OutboxContractOptions {
  name: string;
  backend: () => Promise<OutboxBackend>;
  /** A skip message when the backend is not reachable (the caller prints it loudly). */
  skip?: string | false;
}

export const outboxRow = (sessionId: string, n: number, webhookId = 'w1', accountId = 'acme'): NewOutboxRow => ({
  accountId,
  webhookId,
  sessionId,
  eventId: `${sessionId}-${n}`,
  position: n,
  dialect: 'teltel',
  name: 'RING',
  payload: JSON.stringify({ n }),
});

export function outboxContract(o: OutboxContractOptions): void {
  const it = (title: string, fn: (backend: OutboxBackend) => Promise<void>) =>
    test(`${o.name} outbox: ${title}`, { skip: o.skip ?? false }, async () => {
      const backend = await o.backend();
      try {
        await fn(backend);
      } finally {
        await backend.dispose();
      }
    });

  it('rows and the fed position commit together and survive a reopen', async (backend) => {
    const a = await backend.open();
    assert.equal(await a.feedPosition(), undefined);
    const stored = await a.feed([outboxRow('s1', 1), outboxRow('s2', 2), outboxRow('s1', 3)], 3);
    assert.deepEqual(
      stored.map((r) => r.id),
      [1, 2, 3],
    );
    assert.equal(stored[0]!.state, 'pending');
    assert.equal(stored[0]!.attempts, 0);
    await a.feed([], 7);
    await a.close();
    const b = await backend.open();
    assert.equal(await b.feedPosition(), 7);
    assert.deepEqual(
      (await b.pending('acme', 'w1', 0, 10)).map((r) => r.eventId),
      ['s1-1', 's2-2', 's1-3'],
    );
    assert.deepEqual(
      (await b.pending('acme', 'w1', 0, 10, { sessionId: 's1', upTo: 2 })).map((r) => r.eventId),
      ['s1-1'],
    );
    assert.deepEqual(await b.pendingSubscriptions(), [{ accountId: 'acme', webhookId: 'w1' }]);
  });

  it('acknowledge removes; attempts are recorded; dead letters are listed per account and replayed as new rows', async (backend) => {
    const ob = await backend.open();
    const [r1, r2, r3] = await ob.feed([outboxRow('s1', 1), outboxRow('s1', 2), outboxRow('s9', 3, 'w1', 'other')], 3);
    await ob.acknowledge(r1!.id);
    const attempt = { attempts: 2, nextAttemptAt: 5000, firstAttemptAt: 1000, lastAttemptAt: 2000, lastStatus: 503, lastError: 'primary: HTTP 503' };
    await ob.recordAttempt(r2!.id, attempt);
    const [p2] = await ob.pending('acme', 'w1', 0, 10);
    assert.deepEqual(
      { attempts: p2!.attempts, next: p2!.nextAttemptAt, first: p2!.firstAttemptAt, last: p2!.lastAttemptAt, status: p2!.lastStatus, error: p2!.lastError },
      { attempts: 2, next: 5000, first: 1000, last: 2000, status: 503, error: 'primary: HTTP 503' },
    );
    await ob.deadLetter(r2!.id, { ...attempt, attempts: 3 });
    await ob.deadLetter(r3!.id, attempt);
    assert.deepEqual(await ob.counts(), { pending: 0, dead: 2 });
    const dead = await ob.listDeadLetters('acme', { limit: 10 });
    assert.deepEqual(
      dead.map((d) => [d.eventId, d.attempts, d.deadAt, d.state]),
      [['s1-2', 3, 2000, 'dead']],
    );
    assert.equal((await ob.getDeadLetter('acme', r2!.id))?.eventId, 's1-2');
    assert.equal(await ob.getDeadLetter('other', r2!.id), undefined, 'scoped to the account');
    assert.deepEqual(await ob.replay('other', [r2!.id]), [], 'another account cannot replay it');
    const [again] = await ob.replay('acme', [r2!.id]);
    assert.ok(again!.id > r3!.id, 'a replayed event is a new row, after everything queued');
    assert.equal(again!.attempts, 0);
    assert.equal(again!.state, 'pending');
    assert.equal(again!.payload, r2!.payload);
    assert.equal(again!.eventId, 's1-2');
    assert.deepEqual(await ob.counts(), { pending: 1, dead: 1 });
    assert.equal(await ob.discardDeadLetter('acme', r3!.id), false, 'scoped to the account');
    assert.equal(await ob.discardDeadLetter('other', r3!.id), true);
    assert.equal(await ob.purgeSubscription('acme', 'w1'), 1);
    assert.deepEqual(await ob.counts(), { pending: 0, dead: 0 });
    await ob.close();
  });

  it('dead letters page by id and per subscription; replayAll replays them in id order', async (backend) => {
    const ob = await backend.open();
    const rows = await ob.feed([outboxRow('s1', 1, 'w1'), outboxRow('s2', 2, 'w2'), outboxRow('s1', 3, 'w1'), outboxRow('s3', 4, 'w2')], 4);
    const at = { attempts: 1, nextAttemptAt: 1, firstAttemptAt: 1, lastAttemptAt: 1 };
    for (const r of rows) await ob.deadLetter(r.id, at);
    const page1 = await ob.listDeadLetters('acme', { limit: 2 });
    const page2 = await ob.listDeadLetters('acme', { limit: 2, after: page1[1]!.id });
    assert.deepEqual(
      [...page1, ...page2].map((d) => d.eventId),
      ['s1-1', 's2-2', 's1-3', 's3-4'],
    );
    assert.deepEqual(
      (await ob.listDeadLetters('acme', { webhookId: 'w2', limit: 10 })).map((d) => d.eventId),
      ['s2-2', 's3-4'],
    );
    const replayed = await ob.replayAll('acme', 'w1', 10);
    assert.deepEqual(
      replayed.map((r) => r.eventId),
      ['s1-1', 's1-3'],
    );
    assert.ok(replayed[0]!.id < replayed[1]!.id);
    assert.deepEqual(
      (await ob.pending('acme', 'w1', 0, 10)).map((r) => r.eventId),
      ['s1-1', 's1-3'],
    );
    assert.deepEqual(await ob.counts(), { pending: 2, dead: 2 });
    assert.equal((await ob.replayAll('acme', undefined, 10)).length, 2);
    assert.deepEqual(await ob.counts(), { pending: 4, dead: 0 });
    await ob.close();
  });

  it("a session's rows come back in id order across feeds, pages and subscriptions", async (backend) => {
    const ob = await backend.open();
    let n = 0;
    for (let page = 0; page < 5; page++) {
      const rows: NewOutboxRow[] = [];
      for (let i = 0; i < 40; i++, n++) rows.push(outboxRow(`s${n % 7}`, n + 1, n % 3 === 0 ? 'w2' : 'w1'));
      const stored = await ob.feed(rows, n);
      assert.deepEqual(
        stored.map((r) => r.eventId),
        rows.map((r) => r.eventId),
        'feed returns the rows as stored, in order',
      );
    }
    assert.equal(await ob.feedPosition(), 200);
    for (const w of ['w1', 'w2']) {
      const all: OutboxRow[] = [];
      for (let after = 0; ; ) {
        const got = await ob.pending('acme', w, after, 17);
        if (got.length === 0) break;
        all.push(...got);
        after = got[got.length - 1]!.id;
      }
      assert.ok(all.every((r, i) => i === 0 || r.id > all[i - 1]!.id));
      assert.ok(all.every((r, i) => i === 0 || r.position > all[i - 1]!.position), 'id order is insertion order');
      assert.equal(all.length, w === 'w2' ? 67 : 133);
      const s3 = await ob.pending('acme', w, 0, 1000, { sessionId: 's3', upTo: Number.MAX_SAFE_INTEGER });
      assert.deepEqual(
        s3.map((r) => r.eventId),
        all.filter((r) => r.sessionId === 's3').map((r) => r.eventId),
      );
    }
    await ob.close();
  });

  it('pendingSubscriptions names each subscription with pending rows once, and none with only dead ones', async (backend) => {
    const ob = await backend.open();
    const rows = await ob.feed(
      [outboxRow('s1', 1, 'w1'), outboxRow('s2', 2, 'w2'), outboxRow('s1', 3, 'w1'), outboxRow('s3', 4, 'w1', 'other'), outboxRow('s4', 5, 'w3'), outboxRow('s2', 6, 'w2')],
      6,
    );
    await ob.deadLetter(rows[4]!.id, { attempts: 1, nextAttemptAt: 1, firstAttemptAt: 1, lastAttemptAt: 1 });
    const key = (x: { accountId: string; webhookId: string }) => `${x.accountId}/${x.webhookId}`;
    assert.deepEqual((await ob.pendingSubscriptions()).map(key).sort(), ['acme/w1', 'acme/w2', 'other/w1']);
    await ob.purgeSubscription('acme', 'w2');
    assert.deepEqual((await ob.pendingSubscriptions()).map(key).sort(), ['acme/w1', 'other/w1']);
    await ob.close();
  });

  it('a failing write does not fail concurrent ones, and a failed feed moves nothing', async (backend) => {
    const ob = await backend.open();
    const [r1, r2] = await ob.feed([outboxRow('s1', 1), outboxRow('s1', 2)], 2);
    const bad = { ...outboxRow('s1', 3), payload: null as unknown as string };
    const attempt = { attempts: 1, nextAttemptAt: 9, firstAttemptAt: 1, lastAttemptAt: 1 };
    const results = await Promise.allSettled([ob.acknowledge(r1!.id), ob.feed([outboxRow('s2', 3), bad], 3), ob.recordAttempt(r2!.id, attempt)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(await ob.feedPosition(), 2, 'the failed feed recorded no position');
    const left = await ob.pending('acme', 'w1', 0, 10);
    assert.deepEqual(
      left.map((r) => [r.eventId, r.attempts]),
      [['s1-2', 1]],
      'and no row',
    );
    await ob.close();
  });

  it('after close every write rejects with OutboxClosedError; writes under way finish first', async (backend) => {
    const ob = await backend.open();
    const [r] = await ob.feed([outboxRow('s1', 1)], 1);
    const inFlight = ob.recordAttempt(r!.id, { attempts: 1, nextAttemptAt: 9, firstAttemptAt: 1, lastAttemptAt: 1 });
    await ob.close();
    await inFlight;
    const attempt = { attempts: 1, nextAttemptAt: 1, firstAttemptAt: 1, lastAttemptAt: 1 };
    for (const write of [
      () => ob.feed([outboxRow('s1', 2)], 2),
      () => ob.acknowledge(r!.id),
      () => ob.recordAttempt(r!.id, attempt),
      () => ob.deadLetter(r!.id, attempt),
      () => ob.replay('acme', [r!.id]),
      () => ob.discardDeadLetter('acme', r!.id),
      () => ob.purgeSubscription('acme', 'w1'),
    ])
      await assert.rejects(write(), OutboxClosedError);
    const again = await backend.open();
    const [kept] = await again.pending('acme', 'w1', 0, 10);
    assert.equal(kept?.nextAttemptAt, 9, 'the write under way at close was committed');
    await again.close();
  });
}
