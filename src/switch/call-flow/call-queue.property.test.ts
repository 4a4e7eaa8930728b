/**
 * The call queue's guarantees on random runs (callers joining two queues that share agents, offers answered
 * or failed in any order, bridges ending, callers hanging up, agents pausing and taking other calls, time
 * passing): an agent is never rung or bridged for two callers at once, a caller is never offered two agents
 * at once, a caller is offered only once everyone who joined its queue earlier has left, and every caller
 * ends with exactly one outcome. Real pool over an AgentWorld (agents/agent-world.ts says why its store is
 * a fake), ManualClock time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { AgentWorld } from '../agents/agent-world.js';
import type { AgentLease } from '../agents/agent-pool.js';
import { CallQueues, type OfferResult, type QueueOutcome } from './call-queue.js';

const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

const AGENTS = [1, 2, 3];
/** Two queue nodes sharing agent 2. */
const QUEUES = [
  { key: 'f/sales', candidates: [1, 2] },
  { key: 'f/support', candidates: [2, 3] },
];

type Action =
  | { a: 'join'; queue: number; maxWaitMs: number; strategy: 'ring-all' | 'round-robin' | 'longest-idle' }
  | { a: 'answer'; index: number; connected: boolean }
  | { a: 'bridgeEnds'; index: number }
  | { a: 'hangUp'; index: number }
  | { a: 'advance'; ms: number }
  | { a: 'presence'; agent: number; paused: boolean }
  | { a: 'otherCall'; agent: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ a: fc.constant('join' as const), queue: fc.nat(1), maxWaitMs: fc.constantFrom(0, 3_000, 20_000), strategy: fc.constantFrom('ring-all' as const, 'round-robin' as const, 'longest-idle' as const) }) },
  { weight: 5, arbitrary: fc.record({ a: fc.constant('answer' as const), index: fc.nat(), connected: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ a: fc.constant('bridgeEnds' as const), index: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ a: fc.constant('hangUp' as const), index: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ a: fc.constant('advance' as const), ms: fc.constantFrom(500, 1_000, 5_000, 31_000) }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('presence' as const), agent: fc.constantFrom(...AGENTS), paused: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ a: fc.constant('otherCall' as const), agent: fc.constantFrom(...AGENTS) }) },
);

interface SimCaller {
  n: number;
  queue: number;
  hangUp(): void;
  outcomes: QueueOutcome[];
  left: boolean;
}

test('random runs: no agent for two callers at once, no caller offered two agents at once, FIFO per queue, one outcome each', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 50 }), async (actions) => {
      const clock = new ManualClock();
      const world = new AgentWorld(AGENTS.map((id) => ({ id, accountId: 'acme' })));
      const pool = world.pool(() => clock.now());
      const queues = new CallQueues({ pool, now: () => clock.now(), setTimer: (ms, fn) => clock.setTimer(ms, fn) });
      const callers: SimCaller[] = [];
      /** Agent → the caller it is rung or bridged for. */
      const engaged = new Map<number, number>();
      const ringing: { caller: SimCaller; lease: AgentLease; answer(r: OfferResult): void }[] = [];
      const bridges: { agent: number; lease: AgentLease }[] = [];
      const otherCalls = new Map<number, string>();
      const violations: unknown[] = [];
      const check = (fn: () => void) => {
        try {
          fn();
        } catch (err) {
          violations.push(err);
        }
      };

      for (const act of actions) {
        switch (act.a) {
          case 'join': {
            let hangUp!: () => void;
            const gone = new Promise<void>((r) => (hangUp = r));
            const c: SimCaller = { n: callers.length, queue: act.queue, hangUp, outcomes: [], left: false };
            callers.push(c);
            const q = QUEUES[act.queue]!;
            void queues
              .wait({
                accountId: 'acme',
                queueKey: q.key,
                candidates: q.candidates,
                strategy: act.strategy,
                maxWaitMs: act.maxWaitMs,
                announceEveryMs: 2_000,
                announce: (p) => check(() => assert.ok(p >= 1, `position ${p}`)),
                offer: (lease) => {
                  // The queue takes a throwing offer as a failed one: the checks are collected, not thrown.
                  check(() => {
                    assert.ok(q.candidates.includes(lease.userId), 'offered an agent of the node');
                    assert.equal(engaged.get(lease.userId), undefined, `agent ${lease.userId} offered to caller ${c.n} while engaged for caller ${engaged.get(lease.userId)}`);
                    assert.ok(!ringing.some((r) => r.caller === c), `caller ${c.n} offered a second agent at once`);
                    assert.ok(!c.left, `caller ${c.n} offered after leaving`);
                    const earlier = callers.filter((o) => o.queue === c.queue && o.n < c.n && !o.left);
                    assert.deepEqual(earlier.map((o) => o.n), [], `caller ${c.n} offered before earlier callers of its queue left`);
                  });
                  engaged.set(lease.userId, c.n);
                  return new Promise<OfferResult>((resolve) => ringing.push({ caller: c, lease, answer: resolve }));
                },
                gone,
              })
              .then((o) => {
                c.outcomes.push(o);
                c.left = true;
              });
            break;
          }
          case 'answer': {
            if (ringing.length === 0) break;
            const [r] = ringing.splice(act.index % ringing.length, 1);
            const stillThere = !r!.caller.left;
            if (act.connected && stillThere) bridges.push({ agent: r!.lease.userId, lease: r!.lease });
            // Failed, or the caller left: the queue releases the lease; the agent is free again after it.
            else engaged.delete(r!.lease.userId);
            r!.answer(act.connected ? 'connected' : 'failed');
            break;
          }
          case 'bridgeEnds': {
            if (bridges.length === 0) break;
            const [b] = bridges.splice(act.index % bridges.length, 1);
            engaged.delete(b!.agent);
            b!.lease.release();
            break;
          }
          case 'hangUp': {
            const waiting = callers.filter((c) => !c.left);
            if (waiting.length > 0) waiting[act.index % waiting.length]!.hangUp();
            break;
          }
          case 'advance':
            clock.advance(act.ms);
            break;
          case 'presence':
            world.setPresence(act.agent, act.paused ? 'paused' : 'available');
            pool.presenceChanged('acme');
            break;
          case 'otherCall': {
            const s = otherCalls.get(act.agent);
            if (s) {
              otherCalls.delete(act.agent);
              await world.endCall(s);
            } else if (!engaged.has(act.agent)) otherCalls.set(act.agent, await world.startCall(act.agent));
            break;
          }
        }
        await flush();
        if (violations.length > 0) throw violations[0];
        for (const [agent, n] of engaged) {
          const stillRinging = ringing.some((r) => r.lease.userId === agent);
          const bridged = bridges.some((b) => b.agent === agent);
          assert.ok(stillRinging || bridged, `agent ${agent} engaged for ${n} but neither rung nor bridged`);
          assert.equal(pool.isLeased('acme', agent), true, `agent ${agent} engaged but not leased`);
        }
      }
      // Wind down: everyone waiting hangs up, every ringing offer fails, every bridge ends.
      for (const c of callers) c.hangUp();
      await flush();
      for (const r of ringing.splice(0)) r.answer('failed');
      for (const b of bridges.splice(0)) b.lease.release();
      await flush();
      for (const c of callers) assert.equal(c.outcomes.length, 1, `caller ${c.n}: ${c.outcomes.join(',') || 'no outcome'}`);
      for (const id of AGENTS) assert.equal(pool.isLeased('acme', id), false, `agent ${id} still leased at the end`);
      assert.equal(queues.waiting('acme', 'f/sales') + queues.waiting('acme', 'f/support'), 0);
      queues.close();
      pool.close();
      assert.equal(clock.pending, 0, 'no timer left behind');
    }),
    { numRuns: 200 },
  );
});
