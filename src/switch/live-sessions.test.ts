/**
 * LiveSessions as the agent pool reads it (switch/agents/agent-pool.ts): who is in a call now
 * (`usersInCalls`, ringing included, ended legs and Ringside's own legs not), and the listener told when
 * users stop being in one (a leg of theirs ended or failed, or their session ended or was forgotten), once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fact } from '../events/model/facts.js';
import { LiveSessions } from './live-sessions.js';

const S1 = 'a'.repeat(32);
const S2 = 'b'.repeat(32);

function started(sessionId: string, accountId = 'acme'): Fact {
  return { type: 'session.started', sessionId, at: 1, accountId, accountcode: accountId, kind: 'inbound', callId: '1.1', from: { kind: 'phone', number: '+15550001' }, to: { kind: 'phone', number: '+15550100' } };
}
function leg(sessionId: string, n: number, userId?: string, kind: 'sip' | 'phone' | 'local' = 'sip'): Fact {
  return { type: 'leg.created', sessionId, at: 2, legId: `${sessionId}.${n}`, role: 'callee', direction: 'out', party: { kind, number: `10${n}`, ...(userId !== undefined ? { userId } : {}) } };
}
const ended = (sessionId: string, n: number): Fact => ({ type: 'leg.ended', sessionId, at: 3, legId: `${sessionId}.${n}`, by: 'remote', cause: 'normal' });
const failed = (sessionId: string, n: number): Fact => ({ type: 'leg.failed', sessionId, at: 3, legId: `${sessionId}.${n}`, result: 'NOANSWER', cause: 'no-answer' } as Fact);
const sessionEnded = (sessionId: string): Fact => ({ type: 'session.ended', sessionId, at: 4, hangupBy: { kind: 'local', number: 'local' }, cause: 'normal' });

function harness() {
  const recorded: Fact[] = [];
  const live = new LiveSessions({ record: async (...f: Fact[]) => recorded.push(...f) });
  const freed: [string, number[]][] = [];
  const off = live.onUsersFreed((a, ids) => freed.push([a, ids]));
  return { live, freed, off, recorded };
}

test('usersInCalls: every user with a leg up in the account, ringing included; not ended legs, local legs or another account', async () => {
  const { live } = harness();
  await live.record(started(S1), leg(S1, 1), leg(S1, 2, '501'), leg(S1, 3, '502'), leg(S1, 4, '503', 'local'), leg(S1, 5, '504', 'phone'), leg(S1, 6, 'not-a-number'));
  await live.record(started(S2, 'beta'), leg(S2, 1, '601'));
  assert.deepEqual([...live.usersInCalls('acme')].sort(), [501, 502, 504]);
  assert.deepEqual([...live.usersInCalls('beta')], [601]);
  await live.record(ended(S1, 2));
  assert.deepEqual([...live.usersInCalls('acme')].sort(), [502, 504]);
  assert.deepEqual([...live.usersInCalls('nobody')], []);
});

test('onUsersFreed: a leg ending or failing tells its user once; the session ending tells the rest; the facts go on', async () => {
  const { live, freed, recorded } = harness();
  await live.record(started(S1), leg(S1, 1), leg(S1, 2, '501'), leg(S1, 3, '502'), leg(S1, 4, '503'));
  assert.deepEqual(freed, []);
  await live.record(failed(S1, 2));
  assert.deepEqual(freed, [['acme', [501]]]);
  await live.record(ended(S1, 2));
  assert.equal(freed.length, 1, 'an ended leg is not told again');
  await live.record(ended(S1, 1));
  assert.equal(freed.length, 1, 'a leg with no user tells nobody');
  await live.record(ended(S1, 3), sessionEnded(S1));
  assert.deepEqual(freed, [['acme', [501]], ['acme', [502]], ['acme', [503]]]);
  assert.equal(recorded.length, 10, 'every fact reached the inner sink');
});

test('onUsersFreed: a forgotten session tells its users; unsubscribing stops it; a throwing listener breaks nothing', async () => {
  const { live, freed, off } = harness();
  live.onUsersFreed(() => {
    throw new Error('listener bug');
  });
  await live.record(started(S1), leg(S1, 1, '501'), leg(S1, 2, '501'));
  live.forget(S1);
  assert.deepEqual(freed, [['acme', [501]]], 'one user once, though two legs');
  assert.deepEqual([...live.usersInCalls('acme')], []);
  off();
  await live.record(started(S2), leg(S2, 1, '502'), sessionEnded(S2));
  assert.equal(freed.length, 1);
});
