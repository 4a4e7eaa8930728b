/**
 * The call queue (call-queue.ts) over the real agent pool: first come first served, offers and what a failed
 * one does, max wait, callers leaving, positions and announcements, waking on a freed agent and the one-second
 * poll, and two queues sharing an agent. Time is a ManualClock; the agents' presence and calls are an
 * AgentWorld (agents/agent-world.ts: an in-memory store behind the two reads the pool makes, and the real
 * LiveSessions) — what is under test is the queue and the pool's lease, not SIP; the executor's `offer` is a
 * promise each test answers by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { AgentWorld } from '../agents/agent-world.js';
import type { AgentLease, AgentPool } from '../agents/agent-pool.js';
import { CallQueues, type OfferResult, type QueueEntry, type QueueOutcome } from './call-queue.js';
import type { DialStrategy } from '../../config/call-flow/flow-types.js';

/** Let every promise chain started so far run (the store reads are promises). */
const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

interface Offer {
  lease: AgentLease;
  answer(result: OfferResult | Error): void;
}

interface Caller {
  announced: number[];
  offers: Offer[];
  hangUp(): void;
  outcome: QueueOutcome | undefined;
  done: Promise<QueueOutcome>;
}

function setup(users = [1, 2, 3]) {
  const clock = new ManualClock();
  const world = new AgentWorld(users.map((id) => ({ id, accountId: 'acme' })));
  const pool = world.pool(() => clock.now());
  const queues = new CallQueues({ pool, now: () => clock.now(), setTimer: (ms, fn) => clock.setTimer(ms, fn) });
  const join = (opts: Partial<Pick<QueueEntry, 'queueKey' | 'candidates' | 'strategy' | 'maxWaitMs' | 'announceEveryMs'>> = {}): Caller => {
    let hangUp!: () => void;
    const gone = new Promise<void>((r) => (hangUp = r));
    const c: Caller = { announced: [], offers: [], hangUp, outcome: undefined, done: undefined as never };
    const entry: QueueEntry = {
      accountId: 'acme',
      queueKey: 'flow/support',
      candidates: users,
      strategy: 'ring-all' as DialStrategy,
      maxWaitMs: 300_000,
      announceEveryMs: 0,
      ...opts,
      announce: (p) => c.announced.push(p),
      offer: (lease) =>
        new Promise<OfferResult>((resolve, reject) => c.offers.push({ lease, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) })),
      gone,
    };
    c.done = queues.wait(entry).then((o) => (c.outcome = o));
    return c;
  };
  return { clock, world, pool, queues, join };
}

/** The latest offer made for this caller. */
const lastOffer = (c: Caller) => c.offers.at(-1);

test('a caller with a free agent is offered them at once; connected resolves connected and the lease stays the executor’s', async () => {
  const s = setup([1]);
  const c = s.join();
  await flush();
  assert.deepEqual(c.announced, [1], 'position 1 at entry');
  assert.equal(c.offers.length, 1);
  assert.equal(c.offers[0]!.lease.userId, 1);
  c.offers[0]!.answer('connected');
  await flush();
  assert.equal(c.outcome, 'connected');
  assert.equal(s.pool.isLeased('acme', 1), true, 'kept until the bridge ends');
  assert.equal(s.queues.waiting('acme', 'flow/support'), 0);
  c.offers[0]!.lease.release();
  assert.equal(s.pool.isLeased('acme', 1), false);
});

test('first come, first served: the second caller waits behind the first and is offered the agent when the first bridge ends', async () => {
  const s = setup([1]);
  const a = s.join({ announceEveryMs: 10_000 });
  const b = s.join({ announceEveryMs: 10_000 });
  await flush();
  assert.deepEqual([a.announced, b.announced], [[1], [2]]);
  assert.equal(a.offers.length, 1);
  assert.equal(b.offers.length, 0, 'only the head is offered');
  a.offers[0]!.answer('connected');
  await flush();
  assert.equal(a.outcome, 'connected');
  s.clock.advance(10_000);
  await flush();
  assert.equal(b.offers.length, 0, 'the agent is on the first call');
  assert.deepEqual(b.announced, [2, 1], 'renumbered: next in line');
  a.offers[0]!.lease.release();
  await flush();
  assert.equal(b.offers.length, 1, 'woken by the release, not by the poll');
  assert.equal(b.offers[0]!.lease.userId, 1);
  b.offers[0]!.answer('connected');
  assert.equal(await b.done, 'connected');
});

test('a failed offer releases the agent, the head tries the next; the same agent is not offered to that caller again for 30 s', async () => {
  const s = setup([1, 2]);
  const c = s.join();
  await flush();
  assert.equal(lastOffer(c)!.lease.userId, 1);
  lastOffer(c)!.answer('failed');
  await flush();
  assert.equal(s.pool.isLeased('acme', 1), false);
  assert.equal(c.offers.length, 2);
  assert.equal(lastOffer(c)!.lease.userId, 2);
  lastOffer(c)!.answer(new Error('the executor threw'));
  await flush();
  assert.equal(c.offers.length, 2, 'a throw is a failure; both agents failed within 30 s: nobody to offer');
  assert.equal(c.outcome, undefined);
  s.clock.advance(29_000);
  await flush();
  assert.equal(c.offers.length, 2);
  s.clock.advance(1_000);
  await flush();
  assert.equal(c.offers.length, 3, 'the poll offers agent 1 again once 30 s have passed');
  assert.equal(lastOffer(c)!.lease.userId, 1);
  assert.equal(s.pool.isLeased('acme', 2), false);
});

test('max wait: timeout, the caller leaves, the ones behind renumber', async () => {
  const s = setup([1]);
  const busy = await s.world.startCall(1);
  const a = s.join({ maxWaitMs: 5_000, announceEveryMs: 2_000 });
  const b = s.join({ announceEveryMs: 2_000 });
  const c = s.join({ announceEveryMs: 2_000 });
  await flush();
  s.clock.advance(4_000);
  await flush();
  assert.deepEqual([a.announced, b.announced, c.announced], [[1, 1, 1], [2, 2, 2], [3, 3, 3]]);
  s.clock.advance(1_000);
  await flush();
  assert.equal(a.outcome, 'timeout');
  s.clock.advance(1_000);
  assert.deepEqual([b.announced, c.announced], [[2, 2, 2, 1], [3, 3, 3, 2]]);
  assert.equal(s.queues.waiting('acme', 'flow/support'), 2);
  await s.world.endCall(busy);
  await flush();
  assert.equal(b.offers.length, 1, 'the new head gets the agent');
  assert.equal(a.offers.length + c.offers.length, 0);
});

test('max wait while an agent is being rung: the offer decides (connected wins, failed gives timeout)', async () => {
  const s = setup([1, 2]);
  const a = s.join({ maxWaitMs: 5_000 });
  await flush();
  s.clock.advance(6_000);
  await flush();
  assert.equal(a.outcome, undefined, 'still ringing agent 1');
  a.offers[0]!.answer('connected');
  assert.equal(await a.done, 'connected');

  const b = s.join({ maxWaitMs: 5_000 });
  await flush();
  assert.equal(b.offers[0]!.lease.userId, 2);
  s.clock.advance(5_000);
  await flush();
  b.offers[0]!.answer('failed');
  assert.equal(await b.done, 'timeout');
  await flush();
  assert.equal(b.offers.length, 1, 'no second offer after the max wait');
  assert.equal(s.pool.isLeased('acme', 2), false);
});

test('a caller who hangs up leaves at once (gone) and the others renumber; an offer ringing for them gives the agent back whatever it says', async () => {
  const s = setup([1]);
  const a = s.join({ announceEveryMs: 1_000 });
  const b = s.join({ announceEveryMs: 1_000 });
  const c = s.join({ announceEveryMs: 1_000 });
  await flush();
  b.hangUp();
  await flush();
  assert.equal(b.outcome, 'gone');
  s.clock.advance(1_000);
  assert.deepEqual(c.announced, [3, 2]);
  assert.deepEqual(a.announced, [1], 'not announced while an agent is rung for them');
  a.hangUp();
  await flush();
  assert.equal(a.outcome, 'gone');
  assert.equal(c.offers.length, 0, 'agent 1 is still leased to the ringing offer');
  a.offers[0]!.answer('connected');
  await flush();
  assert.equal(c.offers.length, 1, 'released by the queue: nobody was left to bridge');
  assert.equal(c.offers[0]!.lease.userId, 1);
});

test('an agent freed by the end of their call wakes the queue at once; a presence written behind the pool’s back is found by the poll', async () => {
  const s = setup([1, 2]);
  s.world.setPresence(2, 'paused');
  const call = await s.world.startCall(1);
  const c = s.join();
  await flush();
  assert.equal(c.offers.length, 0);
  await s.world.endCall(call);
  await flush();
  assert.equal(c.offers.length, 1, 'no clock advance needed');
  c.offers[0]!.answer('connected');
  await flush();

  const d = s.join();
  await flush();
  assert.equal(d.offers.length, 0, 'agent 1 is on a call, agent 2 paused');
  s.world.setPresence(2, 'available');
  await flush();
  assert.equal(d.offers.length, 0);
  s.clock.advance(1_000);
  await flush();
  assert.equal(d.offers.length, 1);
  assert.equal(d.offers[0]!.lease.userId, 2);
});

test('two queues sharing one agent: only one is offered them; the other gets them once released', async () => {
  const s = setup([1]);
  const a = s.join({ queueKey: 'flow/sales' });
  const b = s.join({ queueKey: 'flow/support' });
  await flush();
  assert.equal(a.offers.length + b.offers.length, 1);
  const [first, second] = a.offers.length === 1 ? [a, b] : [b, a];
  first.offers[0]!.answer('connected');
  await flush();
  s.clock.advance(5_000);
  await flush();
  assert.equal(second.offers.length, 0);
  first.offers[0]!.lease.release();
  await flush();
  assert.equal(second.offers.length, 1);
});

test('the strategy and the queue key reach the pool: round-robin hands successive callers successive agents', async () => {
  const s = setup([1, 2, 3]);
  const got: number[] = [];
  for (let i = 0; i < 4; i++) {
    const c = s.join({ strategy: 'round-robin' });
    await flush();
    got.push(c.offers[0]!.lease.userId);
    c.offers[0]!.answer('connected');
    await flush();
    c.offers[0]!.lease.release();
  }
  assert.deepEqual(got, [1, 2, 3, 1]);
});

test('a pool that throws leaves the caller waiting; the poll asks again; close stops the poll', async () => {
  const clock = new ManualClock();
  let fail = true;
  const listeners: ((a: string) => void)[] = [];
  const pool: Pick<AgentPool, 'reserve' | 'onChange'> = {
    // A fake pool: the only way to make the pool's store read fail on demand.
    reserve: async () => {
      if (fail) throw new Error('store down');
      return { userId: 7, release: () => undefined };
    },
    onChange: (l) => (listeners.push(l), () => undefined),
  };
  const queues = new CallQueues({ pool, now: () => clock.now(), setTimer: (ms, fn) => clock.setTimer(ms, fn) });
  let offers = 0;
  void queues.wait({ accountId: 'acme', queueKey: 'f/q', candidates: [7], strategy: 'ring-all', maxWaitMs: 0, announceEveryMs: 0, announce: () => undefined, offer: async () => (offers++, 'failed'), gone: new Promise(() => undefined) });
  await flush();
  assert.equal(offers, 0);
  fail = false;
  clock.advance(1_000);
  await flush();
  assert.equal(offers, 1);
  queues.close();
  assert.equal(clock.pending, 0, 'no poll left (maxWaitMs 0: no limit)');
});
