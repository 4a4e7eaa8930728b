/**
 * The agent pool's guarantee on random sequences of reserves (one at a time and several racing), releases
 * (including twice), presence changes and calls starting and ending: no agent ever holds two leases at once,
 * a lease only goes to a candidate who was free (available, in no call, not leased), and a reserve finds
 * nobody only when nobody was free. Over AgentWorld (agent-world.ts says why its store is a fake).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AgentWorld } from './agent-world.js';
import type { AgentLease } from './agent-pool.js';
import type { DialStrategy } from '../../config/call-flow/flow-types.js';

const USERS = [1, 2, 3, 4, 5];
const candidates = fc.uniqueArray(fc.constantFrom(...USERS, 9), { minLength: 0, maxLength: 6 });
const strategy = fc.constantFrom<DialStrategy>('ring-all', 'round-robin', 'longest-idle');
const reserve = fc.record({ candidates, strategy, key: fc.constantFrom('f/q1', 'f/q2', 'g/q1') });

type Step =
  | { op: 'reserve'; asks: { candidates: number[]; strategy: DialStrategy; key: string }[] }
  | { op: 'release'; index: number; twice: boolean }
  | { op: 'presence'; userId: number; presence: 'available' | 'paused' | 'logged-out' }
  | { op: 'call'; userId: number }
  | { op: 'hangup'; index: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('reserve' as const), asks: fc.array(reserve, { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), index: fc.nat(), twice: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('presence' as const), userId: fc.constantFrom(...USERS), presence: fc.constantFrom('available' as const, 'paused' as const, 'logged-out' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('call' as const), userId: fc.constantFrom(...USERS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('hangup' as const), index: fc.nat() }) },
);

test('no agent ever holds two leases; leases go only to free candidates; nobody found only when nobody was free', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
      const w = new AgentWorld([...USERS.map((id) => ({ id, accountId: 'acme' })), { id: 9, accountId: 'beta' }]);
      const pool = w.pool();
      const held: AgentLease[] = [];
      const calls: string[] = [];
      const freeNow = (ids: readonly number[]) => {
        const inCalls = w.live.usersInCalls('acme');
        return ids.filter((id) => w.users.get(id)?.accountId === 'acme' && (w.presence.get(id)?.presence ?? 'available') === 'available' && !inCalls.has(id) && !held.some((l) => l.userId === id));
      };
      for (const s of steps) {
        switch (s.op) {
          case 'reserve': {
            const before = s.asks.map((a) => freeNow(a.candidates));
            const got = await Promise.all(s.asks.map((a) => pool.reserve('acme', a.candidates, a.strategy, a.key)));
            got.forEach((lease, i) => {
              if (lease) assert.ok(before[i]!.includes(lease.userId), `leased ${lease.userId}, who was not a free candidate of ${JSON.stringify(s.asks[i])}`);
            });
            // Alone, a reserve that finds nobody had nobody free; racing, the others may have taken them.
            if (s.asks.length === 1) assert.equal(got[0] === undefined, before[0]!.length === 0, 'found nobody iff nobody was free');
            for (const l of got) if (l) held.push(l);
            break;
          }
          case 'release': {
            if (held.length === 0) break;
            const [l] = held.splice(s.index % held.length, 1);
            l!.release();
            if (s.twice) l!.release();
            break;
          }
          case 'presence':
            w.setPresence(s.userId, s.presence);
            pool.presenceChanged('acme');
            break;
          case 'call':
            calls.push(await w.startCall(s.userId));
            break;
          case 'hangup':
            if (calls.length > 0) await w.endCall(calls.splice(s.index % calls.length, 1)[0]!);
            break;
        }
        const ids = held.map((l) => l.userId);
        assert.equal(new Set(ids).size, ids.length, `two leases on one agent: ${ids.join(',')}`);
        for (const id of USERS) assert.equal(pool.isLeased('acme', id), ids.includes(id), `pool and holders disagree on ${id}`);
      }
      pool.close();
    }),
    { numRuns: 300 },
  );
});
