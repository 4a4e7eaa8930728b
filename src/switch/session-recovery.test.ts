/**
 * What closes a session cut by a restart (session-recovery.ts): which legs get a BYE, the closing facts and
 * their times. test/crash/session-closing.test.ts checks the closing over random sessions in every dialect.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fact } from '../events/model/facts.js';
import { sessionClosing } from './session-recovery.js';

test('only answered legs with dialog state get a BYE; an ended session needs nothing', () => {
  const base = { sessionId: 's1', at: 1000 };
  const dialog = { callId: 'c1', localTag: 'l', remoteTag: 'r', localUri: '<sip:a@x>', remoteUri: '<sip:b@y>', remoteTarget: 'sip:b@127.0.0.1:5070', routeSet: [], localCSeq: 3, transport: 'udp' as const };
  const facts: Fact[] = [
    { ...base, type: 'session.started', accountId: 'a', accountcode: 'a', kind: 'inbound', callId: '1.1.1', from: { kind: 'phone', number: '+15557654321' }, to: { kind: 'local', number: '+15550100' } },
    { ...base, type: 'leg.created', legId: 'caller', role: 'caller', party: { kind: 'phone', number: '+15557654321' }, direction: 'in' },
    { ...base, type: 'leg.answered', legId: 'caller', dialog },
    { ...base, type: 'leg.created', legId: 'ringing', role: 'callee', party: { kind: 'sip', number: '101' }, direction: 'out' },
    { ...base, type: 'leg.created', legId: 'done', role: 'callee', party: { kind: 'sip', number: '102' }, direction: 'out' },
    { ...base, type: 'leg.answered', legId: 'done', dialog: { ...dialog, callId: 'c2' } },
    { ...base, type: 'leg.ended', legId: 'done', by: 'remote', cause: 'normal' },
  ];
  const closing = sessionClosing(facts, 5000)!;
  assert.deepEqual(closing.byes, [{ legId: 'caller', dialog }]);
  assert.deepEqual(
    closing.facts.map((f) => [f.type, 'legId' in f ? f.legId : undefined, f.at]),
    [
      ['leg.ended', 'caller', 5000],
      ['leg.failed', 'ringing', 5000],
      ['session.ended', undefined, 5000],
    ],
  );
  const end = closing.facts.at(-1)!;
  assert.deepEqual(end.type === 'session.ended' && end.hangupBy, { kind: 'local', number: '+15550100' });
  assert.equal(sessionClosing([...facts, ...closing.facts], 6000), undefined);
  // Stamped no earlier than the last fact, whatever the clock says.
  assert.equal(sessionClosing(facts, 10)!.facts[0]!.at, 1000);
});
