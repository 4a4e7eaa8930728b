/**
 * Unit tests of the decisions the spec left open (docs/compatibility.md) and of robustness: what the
 * projection does with sessions the §5 timelines do not show, and with facts that do not fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallScript, local, phone, sip } from '../../../test/support/call-script.js';
import type { Fact } from '../../events/model/facts.js';
import { teltelDialect, teltelSchemas } from './index.js';
import { line, lines, project, projectAll, validator } from '../../../test/support/teltel-projection-check.js';
import { inboundAnswered } from '../../../test/support/teltel-spec-timelines.js';

const ACCOUNT = { accountId: 'acc-1', accountcode: '20481' };
const CALLER = phone('37120000001');
const APP = { id: 'a-voice01', userId: 'u-acme01' };

test('the dialect object: name, every event name with a schema, a fresh projector per session', () => {
  assert.equal(teltelDialect.name, 'teltel');
  assert.deepEqual([...teltelDialect.eventNames].sort(), Object.keys(teltelSchemas).sort());
  assert.deepEqual([...teltelDialect.eventNames], ['START', 'RING', 'RINGRESULT', 'READY', 'JOIN', 'LEAVE', 'COMPLETED']);
  const facts = inboundAnswered();
  const p1 = teltelDialect.createProjector({ publicUrl: 'http://x' });
  const first = facts.flatMap((f) => p1.apply(f));
  const p2 = teltelDialect.createProjector({ publicUrl: 'http://y' });
  assert.deepEqual(facts.flatMap((f) => p2.apply(f)), first);
});

test('texts and opt-outs produce nothing', () => {
  const base = { sessionId: 'm1', at: 1, accountId: 'acc-1', accountcode: '20481' };
  const facts: Fact[] = [
    { ...base, type: 'message.received', messageId: 'x', medium: 'sms', from: '+1', to: '+2', body: 'STOP' },
    { ...base, type: 'number.opted-out', number: '+1', to: '+2', keyword: 'STOP' },
  ];
  assert.deepEqual(projectAll(facts), []);
});

test('internal SIP-to-SIP call uses the siptosip extension phase and is outbound/standard', () => {
  const s = new CallScript('int-1');
  s.start({ ...ACCOUNT, kind: 'internal', callId: 'c-1', from: sip('101', '501'), to: sip('102', '502'), userIds: ['501', '502'] });
  s.leg('L1', 'caller', sip('101', '501')).leg('L2', 'callee', sip('102', '502')).up('L2').up('L1').joined('L1').joined('L2');
  s.left('L1').left('L2').ended('L1', 'remote').ended('L2', 'local').end(sip('101', '501'), 'normal', 'L1');
  const events = project(s.facts);
  assert.deepEqual(lines(events), [
    'START siptosip P=0',
    'RING siptosip P=0 dial=L2',
    'RINGRESULT siptosip P=0 dial=L2 state=ANSWER',
    'READY siptosip P=0 sip:102 user=502',
    'READY siptosip P=0 sip:101 user=501',
    'JOIN siptosip P=1 sip:101 user=501',
    'JOIN siptosip P=2 sip:102 user=502',
    'LEAVE siptosip P=1 sip:101 user=501',
    'LEAVE siptosip P=0 sip:102 user=502',
    'COMPLETED siptosip P=0 hanged_by=sip hanged_value=101 hanged_user=501 is_answered=true',
  ]);
  assert.deepEqual([events[0]!.payload.direction, events[0]!.payload.type], ['outbound', 'standard']);
});

test('inbound application session: START waits for the first leg (direction in), keeps the start time; conference rejoins alternate', () => {
  const s = new CallScript('app-in');
  s.start({ ...ACCOUNT, kind: 'application', callId: 'c-2', from: CALLER, to: phone('19195550100'), application: APP });
  s.leg('L1', 'caller', CALLER).up('L1');
  s.joined('L1', 'conf-0').left('L1', 'conf-0').joined('L1', 'conf-1').left('L1', 'conf-1');
  s.ended('L1', 'remote').end(CALLER, 'normal', 'L1');
  const events = project(s.facts);
  assert.deepEqual(lines(events), [
    'START didtodid P=0',
    'READY didtodid P=0 phone:37120000001',
    'JOIN didtodid P=1 phone:37120000001',
    'LEAVE didtodid P=0 phone:37120000001',
    'JOIN didtodid P=1 phone:37120000001',
    'LEAVE didtodid P=0 phone:37120000001',
    'COMPLETED didtodid P=0 hanged_by=phone hanged_value=37120000001 is_answered=false',
  ]);
  assert.equal(events[0]!.payload.direction, 'inbound');
  assert.equal(events[0]!.payload.timestamp, '2024-05-14T09:21:07.120Z');
});

test('outbound application session: direction outbound, localtodid, RING for the dialled leg, audio_url when answered', () => {
  const s = new CallScript('app-out');
  s.start({ ...ACCOUNT, kind: 'application', callId: 'c-3', from: phone('19195550100'), to: phone('14045550199'), application: APP });
  s.leg('L1', 'callee', phone('14045550199')).up('L1');
  s.push({ type: 'recording.finished', recordingId: 'r', legId: 'L1', url: 'http://127.0.0.1:8080/recordings/r.wav', startedAt: s.now, status: 'complete', purpose: 'call' });
  s.ended('L1', 'local').end(local('19195550100'));
  const events = project(s.facts);
  assert.deepEqual(lines(events), [
    'START localtodid P=0',
    'RING localtodid P=0 dial=L1',
    'RINGRESULT localtodid P=0 dial=L1 state=ANSWER',
    'READY localtodid P=0 phone:14045550199',
    'COMPLETED localtodid P=0 hanged_by=local hanged_value=19195550100 is_answered=true audio_url',
  ]);
  assert.equal(events[0]!.payload.direction, 'outbound');
  assert.equal(events.at(-1)!.payload.audio_url, 'http://127.0.0.1:8080/recordings/r.wav');
});

test('an application session that ends before any leg still gets START then COMPLETED', () => {
  const s = new CallScript('app-none');
  s.start({ ...ACCOUNT, kind: 'application', callId: 'c-4', from: phone('19195550100'), to: phone('14045550199'), application: APP });
  s.end(local('19195550100'), 'error');
  assert.deepEqual(lines(project(s.facts)), ['START localtodid P=0', 'COMPLETED localtodid P=0 hanged_by=local hanged_value=19195550100 is_answered=false']);
});

test('legs left open at session.ended are closed: pending RINGs get RINGRESULT ABORT, joined parties LEAVE, COMPLETED has P=0', () => {
  const s = new CallScript('open-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-5', from: CALLER, to: phone('37167000000') });
  s.leg('L1', 'caller', CALLER).leg('L2', 'callee', sip('101', '501')).leg('L3', 'callee', sip('102', '502'));
  s.up('L3').up('L1').joined('L1').joined('L3');
  s.end(local('37167000000'), 'error');
  assert.deepEqual(lines(project(s.facts)).slice(-4), [
    'RINGRESULT didtosip P=2 dial=L2 state=ABORT',
    'LEAVE didtosip P=1 phone:37120000001',
    'LEAVE didtosip P=0 sip:102 user=502',
    'COMPLETED didtosip P=0 hanged_by=local hanged_value=37167000000 is_answered=true',
  ]);
});

test('a dialled leg ending through leg.ended before an answer still gets its RINGRESULT (state from the cause)', () => {
  const s = new CallScript('ended-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-6', from: CALLER, to: phone('37167000000') });
  s.leg('L1', 'caller', CALLER).leg('L2', 'callee', sip('101', '501')).ringing('L2');
  s.ended('L2', 'local', 'originator-cancel').ended('L1', 'remote', 'originator-cancel').end(CALLER, 'originator-cancel', 'L1');
  assert.deepEqual(lines(project(s.facts)), [
    'START didtodid P=0',
    'RING didtosip P=0 dial=L2',
    'RINGRESULT didtosip P=0 dial=L2 state=CANCEL',
    'COMPLETED didtosip P=0 hanged_by=phone hanged_value=37120000001 is_answered=false',
  ]);
});

test('user ids: digits become integers, anything else stays a string; hanged_user found through the hangup leg', () => {
  const s = new CallScript('users-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-7', from: CALLER, to: phone('37167000000') });
  s.leg('L1', 'caller', CALLER).leg('L2', 'callee', sip('101', 'u-alice')).leg('L3', 'callee', sip('102'), { user: { id: '0502' } });
  s.leg('L4', 'callee', sip('103'));
  s.failed('L4', 'CHANUNAVAIL').up('L3').failed('L2', 'CANCEL').up('L1').joined('L1').joined('L3');
  s.left('L3').left('L1').ended('L3', 'remote').ended('L1', 'local').end(sip('102'), 'normal', 'L3');
  const events = project(s.facts);
  const ring = (dial: string) => events.find((e) => e.name === 'RING' && (e.payload.data as { dial_id: string }).dial_id === dial)!.payload.data;
  assert.deepEqual(ring('L2'), { dial_id: 'L2', target: { type: 'sip', number: '101', user: 'u-alice' } });
  assert.deepEqual(ring('L3'), { dial_id: 'L3', target: { type: 'sip', number: '102', user: '0502' } });
  assert.deepEqual(ring('L4'), { dial_id: 'L4', target: { type: 'sip', number: '103' } });
  assert.equal(events.find((e) => e.name === 'READY' && e.payload.subject === '102')!.payload.subject_user, '0502');
  assert.equal(events.at(-1)!.payload.hanged_user, '0502');
  assert.deepEqual(events.at(-1)!.userIds, ['u-alice', '0502']);
});

test('an agent who identifies by PIN is added to userIds from then on', () => {
  const s = new CallScript('pin-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-8', from: CALLER, to: phone('37167000000'), userIds: ['501'] });
  s.leg('L1', 'caller', CALLER).leg('L2', 'callee', phone('37129999999')).up('L2');
  s.push({ type: 'agentpin.prompted', legId: 'L2', attempt: 1 }).push({ type: 'agentpin.valid', legId: 'L2', pin: '1103', user: { id: '503' } });
  s.up('L1').joined('L1').joined('L2').left('L1').left('L2').ended('L1', 'remote').ended('L2', 'local').end(CALLER, 'normal', 'L1');
  const events = project(s.facts);
  assert.deepEqual(events[0]!.userIds, ['501']);
  assert.deepEqual(events.at(-1)!.userIds, ['501', '503']);
  assert.ok(events.every((e) => e.payload.subject_user === undefined), 'the PIN agent answers on a phone leg');
});

test('audio_url: only a complete call recording of an answered call (voicemail and failed recordings are not it)', () => {
  const s = new CallScript('vm-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-9', from: CALLER, to: phone('37167000000') });
  s.leg('L1', 'caller', CALLER).leg('L2', 'callee', sip('101', '501')).failed('L2', 'NOANSWER').up('L1');
  s.push({ type: 'voicemail.started', legId: 'L1' });
  s.push({ type: 'recording.finished', recordingId: 'vm', legId: 'L1', url: 'http://r/vm.wav', startedAt: s.now, status: 'complete', purpose: 'voicemail' });
  s.push({ type: 'recording.finished', recordingId: 'c', legId: 'L1', url: 'http://r/c.wav', startedAt: s.now, status: 'complete', purpose: 'call' });
  s.ended('L1', 'remote').end(CALLER, 'normal', 'L1');
  const done = project(s.facts).at(-1)!.payload;
  assert.equal(done.is_answered, false);
  assert.equal('audio_url' in done, false);

  const t = new CallScript('rec-err');
  t.start({ ...ACCOUNT, kind: 'outbound', callId: 'c-10', from: sip('101', '501'), to: phone('37129999999') });
  t.leg('L1', 'caller', sip('101', '501')).leg('L2', 'callee', phone('37129999999')).up('L2').up('L1').joined('L1').joined('L2');
  t.left('L1').left('L2').ended('L1', 'remote').ended('L2', 'local');
  t.push({ type: 'recording.finished', recordingId: 'x', conversationId: 'conv-1', url: 'http://r/x.wav', startedAt: t.now, status: 'error', purpose: 'call' });
  const done2 = project(t.end(sip('101', '501'), 'normal', 'L1').facts).at(-1)!.payload;
  assert.equal(done2.is_answered, true);
  assert.equal('audio_url' in done2, false);
});

test('facts before session.started, of another session, after COMPLETED, repeated, or malformed produce nothing and never throw', () => {
  const facts = inboundAnswered();
  const p = teltelDialect.createProjector({ publicUrl: 'http://x' });
  assert.deepEqual(p.apply(facts[1]!), [], 'leg before session.started');
  assert.deepEqual(p.apply(null as unknown as Fact), []);
  assert.deepEqual(p.apply({ type: 42 } as unknown as Fact), []);
  assert.deepEqual(p.apply({ ...facts[0]!, to: undefined } as unknown as Fact), [], 'session.started without `to`');
  const out = p.apply(facts[0]!);
  assert.deepEqual(out.map((e) => e.name), ['START']);
  assert.deepEqual(p.apply(facts[0]!), [], 'second session.started');
  assert.deepEqual(p.apply({ ...facts[1]!, sessionId: 'other' }), [], 'another session');
  assert.deepEqual(p.apply({ type: 'leg.joined', sessionId: facts[0]!.sessionId, at: 1, legId: 'nope', conversationId: 'c' }), [], 'unknown leg');
  assert.deepEqual(p.apply({ type: 'leg.created', sessionId: facts[0]!.sessionId, at: 1 } as unknown as Fact), [], 'leg without a party');
  const rest = facts.slice(1).flatMap((f) => p.apply(f));
  assert.equal(rest.at(-1)!.name, 'COMPLETED');
  for (const f of facts) assert.deepEqual(p.apply(f), [], `${f.type} after COMPLETED`);
});

test('timestamps never go back: a fact from the past or with a broken time keeps the last time', () => {
  const s = new CallScript('time-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-11', from: CALLER, to: phone('37167000000') });
  s.leg('L1', 'caller', CALLER).answered('L1');
  const facts: Fact[] = [...s.facts, { type: 'leg.media-ready', sessionId: 'time-1', at: Number.NaN, legId: 'L1' }];
  facts.push({ type: 'session.ended', sessionId: 'time-1', at: 0, hangupBy: CALLER, cause: 'normal' });
  const events = project(facts);
  assert.deepEqual(events.map((e) => e.payload.timestamp), ['2024-05-14T09:21:07.120Z', '2024-05-14T09:21:07.120Z', '2024-05-14T09:21:07.120Z']);
});

test('a leg to Ringside itself (party local) is not a party: no RING, no READY, not counted', () => {
  const s = new CallScript('local-1');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-12', from: CALLER, to: phone('37167000000') });
  s.leg('L1', 'caller', CALLER).up('L1').leg('M', 'callee', local()).up('M').joined('L1').joined('M');
  s.left('M').left('L1').ended('M', 'local').ended('L1', 'remote').end(CALLER, 'normal', 'L1');
  assert.deepEqual(lines(project(s.facts)), [
    'START didtodid P=0',
    'READY didtodid P=0 phone:37120000001',
    'JOIN didtodid P=1 phone:37120000001',
    'LEAVE didtodid P=0 phone:37120000001',
    'COMPLETED didtodid P=0 hanged_by=phone hanged_value=37120000001 is_answered=false',
  ]);
});

test('the schemas are strict: extra keys, nulls and misplaced attributes are rejected', () => {
  const good = inboundAnswered();
  const events = projectAll(good);
  const start = events[0]!;
  const ready = events.find((e) => e.name === 'READY' && e.payload.subject_type === 'phone')!;
  const done = events.at(-1)!;
  const bad = (name: string, payload: Record<string, unknown>) => validator.problems({ name, payload }).length > 0;
  assert.ok(!bad('START', start.payload));
  assert.ok(bad('START', { ...start.payload, extra: 1 }), 'extra key');
  assert.ok(bad('START', { ...start.payload, subtype: null }), 'null');
  assert.ok(bad('START', { ...start.payload, leg: 'contact' }), 'leg on a standard call');
  assert.ok(bad('START', { ...start.payload, subtype: 'predictive' }), 'subtype on a standard call');
  assert.ok(bad('START', { ...start.payload, data: { campaign_id: 1 } }), 'campaign on a standard call');
  assert.ok(bad('START', { ...start.payload, phase: 'siptolocal' }), 'phase outside the enum');
  assert.ok(bad('START', { ...start.payload, timestamp: 'yesterday' }), 'timestamp format');
  assert.ok(bad('READY', { ...ready.payload, subject_user: 501 }), 'subject_user on a phone');
  assert.ok(bad('JOIN', { ...ready.payload, event: 'JOIN', subject_type: undefined }), 'JOIN without subject_type');
  assert.ok(bad('COMPLETED', { ...done.payload, is_answered: false }), 'audio_url on an unanswered call');
  assert.ok(bad('COMPLETED', { ...done.payload, hanged_user: 5 }), 'hanged_user for a phone');
  assert.ok(bad('COMPLETED', { ...done.payload, participants: 1 }), 'participants on COMPLETED');
  assert.ok(bad('RING', { ...start.payload, event: 'RING' }), 'RING without data.dial_id');
  assert.ok(bad('RINGRESULT', { ...events[2]!.payload, state: 'CONTINUE' }), 'state outside the enum');
});

test('a transfer session whose caller Ringside had dialled (direction out) does not RING that caller', () => {
  // The phone that called in blind-transfers the device that answered to an external number: in session B
  // the device is the caller, its leg created `out` (Ringside dialled it in session A). It was dialled
  // there, not here: no RING/RINGRESULT for it, only for the transfer target.
  const s = new CallScript('tr-b');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-9', from: sip('101', '501'), to: phone('37129999999'), userIds: ['501'], transferOf: { sessionId: 'tr-a', callId: 'c-9' } });
  s.leg('dev', 'caller', sip('101', '501'), { direction: 'out' });
  s.leg('ext', 'callee', phone('37129999999')).ringing('ext').up('ext');
  s.joined('dev').joined('ext').left('dev').left('ext').ended('dev', 'remote').ended('ext', 'local');
  const events = project(s.end(sip('101', '501'), 'normal', 'dev').facts, ['#4 JOIN: JOIN of sip:101 while not ready']);
  const rings = events.filter((e) => e.name === 'RING' || e.name === 'RINGRESULT').map(line);
  assert.equal(rings.length, 2, rings.join('\n'));
  for (const r of rings) assert.match(r, /dial=ext/);
});
