/**
 * The webhook engine's delivery lease, scripted: the lease here is a fake whose answers the test sets
 * (granted, refused, or no answer at all), because a real one cannot be made to hang or refuse on cue;
 * test/webhooks/cluster.test.ts runs two engines on the real PostgresLease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, Receiver, sequencesBySession, sleep, wireEvent } from './support.js';
import { WebhookEngine, type DeliveryLease } from '../../src/delivery/webhooks/webhook-engine.js';

const TTL = 400;

class ScriptedLease implements DeliveryLease {
  readonly ttlMs = TTL;
  answer: 'grant' | 'refuse' | 'hang' = 'grant';
  asked = 0;
  released = 0;
  acquire(): Promise<boolean> {
    this.asked++;
    if (this.answer === 'hang') return new Promise(() => undefined);
    return Promise.resolve(this.answer === 'grant');
  }
  async release(): Promise<void> {
    this.released++;
  }
}

const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => wireEvent(`s${i % 3}`, from + i));

test('a standby delivers nothing; once it holds the lease it delivers the backlog; when refused it stops at once', async (t) => {
  const lease = new ScriptedLease();
  lease.answer = 'refuse';
  const receiver = await Receiver.start(t);
  const h = await harness(t, { lease, leaseRenewMs: 50, startAt: 'beginning' }, false);
  await h.hook({ url: receiver.url() });
  await h.engine.start();
  await h.append(batch(0, 9));
  await sleep(300);
  assert.equal(receiver.requests.length, 0, 'standby: nothing sent');
  assert.deepEqual(await h.outbox.counts(), { pending: 0, dead: 0 }, 'standby: nothing fed either');

  lease.answer = 'grant';
  await receiver.waitFor(() => receiver.ackedIds().size === 9, 5000, 'the backlog');
  await h.settled();

  lease.answer = 'refuse';
  const askedBefore = lease.asked;
  while (lease.asked === askedBefore) await sleep(10);
  await sleep(20);
  await h.append(batch(9, 9));
  await sleep(300);
  assert.equal(receiver.requests.length, 9, 'lease lost: nothing more sent');

  lease.answer = 'grant';
  await receiver.waitFor(() => receiver.ackedIds().size === 18, 5000, 'after the lease came back');
  assert.equal(receiver.requests.length, 18, 'each once');
  for (const seqs of sequencesBySession(receiver.requests).values()) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  await h.engine.stop();
  assert.equal(lease.released, 1, 'a graceful stop releases the lease');
});

test('a renewal that never answers: delivery stops before the lease could expire, and resumes when renewals answer again', async (t) => {
  const lease = new ScriptedLease();
  const receiver = await Receiver.start(t);
  const h = await harness(t, { lease, leaseRenewMs: 50, startAt: 'beginning' }, false);
  await h.hook({ url: receiver.url() });
  await h.engine.start();
  await h.append(batch(0, 6));
  await receiver.waitFor(() => receiver.ackedIds().size === 6, 5000, 'first batch');
  lease.answer = 'hang';
  const hungAt = Date.now();
  // Four fifths of the TTL after the last answered renewal at the latest, the node must have stopped.
  await sleep((TTL * 4) / 5 + 30);
  await h.append(batch(6, 6));
  await sleep(200);
  assert.equal(receiver.requests.length, 6, `nothing sent once the lease may have expired (${Date.now() - hungAt} ms without an answer)`);
  lease.answer = 'grant';
  // The hung request is given up after the TTL; the next renewal takes the lease again.
  await receiver.waitFor(() => receiver.ackedIds().size === 12, 5000, 'after renewals answered again');
  assert.equal(receiver.requests.length, 12);
});

test('a renewal interval too close to the TTL is refused', () => {
  const unused = {} as never;
  assert.throws(() => new WebhookEngine({ events: unused, store: unused, outbox: unused, lease: new ScriptedLease(), leaseRenewMs: TTL }), RangeError);
});
