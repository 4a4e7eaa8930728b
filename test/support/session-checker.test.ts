import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sessionProblems } from './session-checker.js';
import { arbitrarySession } from './random-sessions.js';
import { CallScript, phone, sip } from './call-script.js';

test('random sessions from the simulated switch respect the fact order', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      assert.deepEqual(sessionProblems(facts), []);
    }),
    { numRuns: 5000 },
  );
});

test('the checker rejects a join before media and a missing session end', () => {
  const s = new CallScript('x');
  s.start({ accountId: 'a', accountcode: 'a', kind: 'inbound', callId: '1.1', from: phone('+1'), to: phone('+2') });
  s.leg('L1', 'caller', phone('+1')).answered('L1').joined('L1');
  const problems = sessionProblems(s.facts);
  assert.ok(problems.some((p) => p.includes('leg.joined: leg L1 is answered')), problems.join('\n'));
  assert.ok(problems.includes('no session.ended'));
});

test('the checker rejects a leg still up at session end', () => {
  const s = new CallScript('x');
  s.start({ accountId: 'a', accountcode: 'a', kind: 'outbound', callId: '1.1', from: sip('101'), to: phone('+2') });
  s.leg('L1', 'caller', sip('101')).end(sip('101'));
  assert.deepEqual(sessionProblems(s.facts), ['session.ended while leg L1 is created']);
});

test('a conference session: created first, members active before completed, completed last', () => {
  const C = 'conf-1';
  const base = { sessionId: C, at: 1 };
  const member = { ...base, type: 'conference.member' as const, conferenceId: C, memberId: 'm1', legId: 'c-1', mute: false, hold: false };
  const good = [
    { ...base, type: 'conference.created' as const, conferenceId: C, accountId: 'a', application: { userId: 'u' } },
    { ...member, state: 'active' as const, activeMembers: 1 },
    { ...member, state: 'completed' as const, activeMembers: 0 },
    { ...base, type: 'conference.completed' as const, conferenceId: C, createdAt: 1 },
  ];
  assert.deepEqual(sessionProblems(good), []);
  const bad = [good[0]!, { ...member, state: 'active' as const, activeMembers: 1 }, good[3]!, { ...member, state: 'completed' as const, activeMembers: 0 }];
  assert.deepEqual(sessionProblems(bad), ['conference.completed while member m1 is active', '#3 conference.member after conference.completed']);
});
