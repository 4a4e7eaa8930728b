/**
 * A call's report entries must agree with what the realtime events said about the same call (spec realtime
 * §1: a report entry's id is the events' `uniqueId`): for random sessions of every kind, each `*.end`
 * event has exactly one entry with its uniqueId, and the same times, duration, billable seconds,
 * disposition and user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSession } from '../../../test/support/random-sessions.js';
import { RealtimeProjector } from '../realtime/index.js';
import { CallScript, local, phone, sip } from '../../../test/support/call-script.js';
import { CallReports } from './call-reports.js';
import { callRecords } from '../../../test/support/call-records.js';

const wire = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 19) + '+00:00');

test('report entries match the realtime *.end events of 3000 random sessions', () => {
  let calls = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const facts = randomSession(seed);
    if (facts[0]?.type !== 'session.started') continue;
    const projector = new RealtimeProjector();
    const ends = facts.flatMap((f) => projector.apply(f)).filter((e) => e.name.endsWith('.end')).map((e) => e.payload);
    const records = callRecords(facts);
    assert.deepEqual(records.map((r) => r.id).sort(), ends.map((e) => String(e.uniqueId)).sort(), `seed ${seed}`);
    for (const e of ends) {
      const r = records.find((x) => x.id === e.uniqueId)!;
      calls++;
      const got = {
        direction: r.direction,
        from: r.from,
        to: r.to,
        start: wire(r.startedAt),
        answer: wire(r.answeredAt),
        end: wire(r.endedAt),
        duration: r.duration,
        billable: r.billableSeconds,
        disposition: r.disposition,
        voicemail: r.hasVoicemail,
        user: r.userId === undefined ? undefined : String(r.userId),
        line: r.lineId,
      };
      const want = {
        direction: e.direction,
        from: e.from,
        to: e.to,
        start: e.startTimestamp,
        answer: e.answerTimestamp,
        end: e.endTimestamp,
        duration: e.duration,
        billable: e.billableSeconds,
        disposition: e.disposition,
        voicemail: e.hasVoicemail,
        user: e.userId,
        line: e.lineId,
      };
      assert.deepEqual(got, want, `seed ${seed} ${String(e.uniqueId)}`);
    }
  }
  assert.ok(calls > 1000);
});

test('an originate gives two entries: the originate (callId) and its callee part (the callee leg id)', () => {
  const s = new CallScript('s1');
  const alice = sip('101', '501', 'Alice');
  const callee = phone('+15557654321');
  s.start({
    accountId: 'demo',
    accountcode: 'demo',
    kind: 'originate',
    callId: 'c1',
    from: local('+15550100'),
    to: alice,
    user: { id: '501' },
    userIds: ['501'],
    callback: { leg1Number: '1101', leg1CallerId: '+15557654321', leg2Number: '+15557654321', leg2CallerId: '+15550100', traceId: 't' },
  });
  s.leg('s1.1', 'operator', alice, { callerId: '+15557654321', user: { id: '501' } }).ringing('s1.1').up('s1.1');
  s.leg('s1.2', 'contact', callee, { callerId: '+15550100' }).ringing('s1.2').up('s1.2');
  s.joined('s1.1').joined('s1.2').wait(10_000).left('s1.2').left('s1.1').ended('s1.2', 'remote').ended('s1.1', 'local').end(callee, 'normal', 's1.2');
  const [main, part] = callRecords(s.facts);
  assert.equal(main!.id, 'c1');
  assert.equal(main!.direction, 'originate');
  assert.equal(main!.from, '+15557654321');
  assert.equal(main!.to, '101');
  assert.deepEqual(main!.legs.map((l) => [l.legId, l.role, l.result, l.endedBy]), [['s1.1', 'operator', 'ANSWER', 'local']]);
  assert.equal(part!.id, 's1.2');
  assert.equal(part!.parentId, 'c1');
  assert.equal(part!.direction, 'outgoing');
  assert.deepEqual([part!.from, part!.to, part!.disposition, part!.userId], ['+15550100', '+15557654321', 'answered', 501]);
  assert.ok(part!.billableSeconds >= 10);
  assert.deepEqual(main!.callback, { leg1Number: '1101', leg1CallerId: '+15557654321', leg2Number: '+15557654321', leg2CallerId: '+15550100', traceId: 't' });
});

test('an unfinished session has no report entry', () => {
  const s = new CallScript('s2');
  s.start({ accountId: 'demo', accountcode: 'demo', kind: 'inbound', callId: 'c2', from: phone('+15557654321'), to: phone('+15550100') });
  assert.deepEqual(callRecords(s.facts), []);
});

test('entries come at session.ended and only then; facts after the end change nothing', () => {
  const s = new CallScript('s3');
  s.start({ accountId: 'demo', accountcode: 'demo', kind: 'inbound', callId: 'c3', from: phone('+15557654321'), to: phone('+15550100') });
  s.leg('s3.1', 'caller', phone('+15557654321')).ended('s3.1', 'remote').end(phone('+15557654321'));
  const reports = new CallReports();
  const yielded = s.facts.map((f) => reports.apply(f).map((r) => r.id));
  assert.deepEqual(yielded, [...s.facts.slice(0, -1).map(() => []), ['c3']]);
  assert.deepEqual(reports.apply(s.facts.at(-1)!), []);
});
