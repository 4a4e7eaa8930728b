/**
 * Golden tests: every timeline of spec teltel §5 (5.1–5.10 with their variants) and the seven example
 * payloads of §3, projected from CallScript fact sequences (test/support/teltel-spec-timelines.ts). Every event is validated
 * against its schema and the §6 invariants inside project().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventId } from '../event-id.js';
import { lines, project, seenNames } from '../../../test/support/teltel-projection-check.js';
import * as T from '../../../test/support/teltel-spec-timelines.js';
import { TELTEL_EVENT_NAMES } from './wire-values.js';

const id = (sessionId: string, n: number) => eventId(sessionId, 'teltel', n);

test('§5.1 inbound call to a SIP operator, answered; the caller hangs up (full payloads)', () => {
  const events = project(T.inboundAnswered());
  assert.deepEqual(lines(events), [
    'START didtodid P=0',
    'RING didtosip P=0 dial=d-101',
    'RINGRESULT didtosip P=0 dial=d-101 state=ANSWER',
    'READY didtosip P=0 sip:101 user=501',
    'READY didtosip P=0 phone:37120000001',
    'JOIN didtosip P=1 phone:37120000001',
    'JOIN didtosip P=2 sip:101 user=501',
    'LEAVE didtosip P=1 phone:37120000001',
    'LEAVE didtosip P=0 sip:101 user=501',
    'COMPLETED didtosip P=0 hanged_by=phone hanged_value=37120000001 is_answered=true audio_url',
  ]);
  const S = '1715680925.2301';
  const H = { accountcode: '20481', session_id: S, call_id: 'c-884150', direction: 'inbound', type: 'standard' };
  const dial = { dial_id: 'd-101', target: { type: 'sip', number: '101', user: 501 } };
  assert.deepEqual(
    events.map((e) => e.payload),
    [
      { event: 'START', id: id(S, 0), timestamp: '2024-05-14T10:02:07.870Z', ...H, phase: 'didtodid', participants: 0 },
      { event: 'RING', id: id(S, 1), timestamp: '2024-05-14T10:02:09.870Z', ...H, phase: 'didtosip', participants: 0, data: dial },
      { event: 'RINGRESULT', id: id(S, 2), timestamp: '2024-05-14T10:02:11.870Z', ...H, phase: 'didtosip', participants: 0, state: 'ANSWER', data: dial },
      { event: 'READY', id: id(S, 3), timestamp: '2024-05-14T10:02:12.870Z', ...H, phase: 'didtosip', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501 },
      { event: 'READY', id: id(S, 4), timestamp: '2024-05-14T10:02:14.870Z', ...H, phase: 'didtosip', participants: 0, subject_type: 'phone', subject: '37120000001' },
      { event: 'JOIN', id: id(S, 5), timestamp: '2024-05-14T10:02:15.870Z', ...H, phase: 'didtosip', participants: 1, subject_type: 'phone', subject: '37120000001' },
      { event: 'JOIN', id: id(S, 6), timestamp: '2024-05-14T10:02:16.870Z', ...H, phase: 'didtosip', participants: 2, subject_type: 'sip', subject: '101', subject_user: 501 },
      { event: 'LEAVE', id: id(S, 7), timestamp: '2024-05-14T10:02:17.870Z', ...H, phase: 'didtosip', participants: 1, subject_type: 'phone', subject: '37120000001' },
      { event: 'LEAVE', id: id(S, 8), timestamp: '2024-05-14T10:02:18.870Z', ...H, phase: 'didtosip', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501 },
      {
        event: 'COMPLETED', id: id(S, 9), timestamp: '2024-05-14T10:02:22.870Z', ...H, phase: 'didtosip', participants: 0,
        hanged_by: 'phone', hanged_value: '37120000001', is_answered: true, audio_url: 'https://recordings.example.net/20481/c-884150.mp3',
      },
    ],
  );
  // The wire event envelope: account, session, users involved, no voice-API route.
  for (const e of events) {
    assert.equal(e.dialect, 'teltel');
    assert.equal(e.accountId, 'acc-20481');
    assert.equal(e.sessionId, S);
    assert.deepEqual(e.userIds, ['501']);
    assert.equal(e.route, undefined);
  }
});

test('§5.2 inbound call, no answer; the call flow ends it (hanged_by=local, no READY)', () => {
  assert.deepEqual(lines(project(T.inboundNoAnswer())), [
    'START didtodid P=0',
    'RING didtosip P=0 dial=d-101',
    'RINGRESULT didtosip P=0 dial=d-101 state=NOANSWER',
    'COMPLETED didtosip P=0 hanged_by=local hanged_value=37167000000 is_answered=false',
  ]);
});

test('§5.3 inbound call ringing two operators in parallel, paired by data.dial_id', () => {
  const events = project(T.inboundParallel());
  assert.deepEqual(lines(events), [
    'START didtodid P=0',
    'RING didtosip P=0 dial=d1',
    'RING didtosip P=0 dial=d2',
    'RINGRESULT didtosip P=0 dial=d2 state=ANSWER',
    'RINGRESULT didtosip P=0 dial=d1 state=CANCEL',
    'READY didtosip P=0 sip:102 user=502',
    'READY didtosip P=0 phone:37120000001',
    'JOIN didtosip P=1 phone:37120000001',
    'JOIN didtosip P=2 sip:102 user=502',
    'LEAVE didtosip P=1 sip:102 user=502',
    'LEAVE didtosip P=0 phone:37120000001',
    'COMPLETED didtosip P=0 hanged_by=sip hanged_value=102 hanged_user=502 is_answered=true',
  ]);
  assert.deepEqual(events[1]!.payload.data, { dial_id: 'd1', target: { type: 'sip', number: '101', user: 501 } });
  assert.deepEqual(events[4]!.payload.data, { dial_id: 'd1', target: { type: 'sip', number: '101', user: 501 } });
  assert.deepEqual(events[3]!.payload.data, { dial_id: 'd2', target: { type: 'sip', number: '102', user: 502 } });
});

test('§5.4 inbound call to a call flow that only plays audio: READY, no RING, no JOIN, not answered', () => {
  assert.deepEqual(lines(project(T.inboundPlayaudio())), [
    'START didtodid P=0',
    'READY didtodid P=0 phone:37120000001',
    'COMPLETED didtodid P=0 hanged_by=phone hanged_value=37120000001 is_answered=false',
  ]);
});

test('§5.5 outbound SIP call to a phone, answered; the callee hangs up', () => {
  assert.deepEqual(lines(project(T.outboundAnswered())), [
    'START siptodid P=0',
    'RING siptodid P=0 dial=d-ext',
    'RINGRESULT siptodid P=0 dial=d-ext state=ANSWER',
    'READY siptodid P=0 phone:37129999999',
    'READY siptodid P=0 sip:101 user=501',
    'JOIN siptodid P=1 sip:101 user=501',
    'JOIN siptodid P=2 phone:37129999999',
    'LEAVE siptodid P=1 phone:37129999999',
    'LEAVE siptodid P=0 sip:101 user=501',
    'COMPLETED siptodid P=0 hanged_by=phone hanged_value=37129999999 is_answered=true audio_url',
  ]);
});

test('§5.6 callback, contact first then operator (full payloads, data.callback on every event)', () => {
  const events = project(T.callback('answered'));
  assert.deepEqual(lines(events), [
    'START localtodid contact P=0',
    'RING localtodid contact P=0 dial=c',
    'RINGRESULT localtodid contact P=0 dial=c state=ANSWER',
    'READY localtodid contact P=0 phone:37126666666',
    'RING localtosip operator P=0 dial=o',
    'RINGRESULT localtosip operator P=0 dial=o state=ANSWER',
    'READY localtosip operator P=0 sip:101 user=501',
    'JOIN localtodid contact P=1 phone:37126666666',
    'JOIN localtosip operator P=2 sip:101 user=501',
    'LEAVE localtosip operator P=1 sip:101 user=501',
    'LEAVE localtodid contact P=0 phone:37126666666',
    'COMPLETED localtosip operator P=0 hanged_by=sip hanged_value=101 hanged_user=501 is_answered=true',
  ]);
  const S = '1715690000.3001';
  const H = { accountcode: '20481', session_id: S, call_id: 'c-884200', direction: 'outbound', type: 'callback' };
  const callback = { leg_1_phone_number: '37126666666', leg_1_caller_id: '37167000000', leg_2_phone_number: '101', leg_2_caller_id: '37126666666', trace_id: 'crm-7781' };
  const contactDial = { callback, dial_id: 'c', target: { type: 'phone', number: '37126666666' } };
  const operatorDial = { callback, dial_id: 'o', target: { type: 'sip', number: '101', user: 501 } };
  assert.deepEqual(
    events.map((e) => e.payload),
    [
      { event: 'START', id: id(S, 0), timestamp: '2024-05-14T11:13:20.000Z', ...H, phase: 'localtodid', leg: 'contact', participants: 0, data: { callback } },
      { event: 'RING', id: id(S, 1), timestamp: '2024-05-14T11:13:21.000Z', ...H, phase: 'localtodid', leg: 'contact', participants: 0, data: contactDial },
      { event: 'RINGRESULT', id: id(S, 2), timestamp: '2024-05-14T11:13:23.000Z', ...H, phase: 'localtodid', leg: 'contact', participants: 0, state: 'ANSWER', data: contactDial },
      { event: 'READY', id: id(S, 3), timestamp: '2024-05-14T11:13:24.000Z', ...H, phase: 'localtodid', leg: 'contact', participants: 0, subject_type: 'phone', subject: '37126666666', data: { callback } },
      { event: 'RING', id: id(S, 4), timestamp: '2024-05-14T11:13:25.000Z', ...H, phase: 'localtosip', leg: 'operator', participants: 0, data: operatorDial },
      { event: 'RINGRESULT', id: id(S, 5), timestamp: '2024-05-14T11:13:27.000Z', ...H, phase: 'localtosip', leg: 'operator', participants: 0, state: 'ANSWER', data: operatorDial },
      { event: 'READY', id: id(S, 6), timestamp: '2024-05-14T11:13:28.000Z', ...H, phase: 'localtosip', leg: 'operator', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501, data: { callback } },
      { event: 'JOIN', id: id(S, 7), timestamp: '2024-05-14T11:13:29.000Z', ...H, phase: 'localtodid', leg: 'contact', participants: 1, subject_type: 'phone', subject: '37126666666', data: { callback } },
      { event: 'JOIN', id: id(S, 8), timestamp: '2024-05-14T11:13:30.000Z', ...H, phase: 'localtosip', leg: 'operator', participants: 2, subject_type: 'sip', subject: '101', subject_user: 501, data: { callback } },
      { event: 'LEAVE', id: id(S, 9), timestamp: '2024-05-14T11:13:31.000Z', ...H, phase: 'localtosip', leg: 'operator', participants: 1, subject_type: 'sip', subject: '101', subject_user: 501, data: { callback } },
      { event: 'LEAVE', id: id(S, 10), timestamp: '2024-05-14T11:13:32.000Z', ...H, phase: 'localtodid', leg: 'contact', participants: 0, subject_type: 'phone', subject: '37126666666', data: { callback } },
      {
        event: 'COMPLETED', id: id(S, 11), timestamp: '2024-05-14T11:13:35.000Z', ...H, phase: 'localtosip', leg: 'operator', participants: 0,
        hanged_by: 'sip', hanged_value: '101', hanged_user: 501, is_answered: true, data: { callback },
      },
    ],
  );
  assert.deepEqual(events.at(-1)!.userIds, ['501']);
});

test('§5.6 variant: leg 1 fails, COMPLETED follows straight after its RINGRESULT', () => {
  const events = project(T.callback('leg-1-fails'));
  assert.deepEqual(lines(events), [
    'START localtodid contact P=0',
    'RING localtodid contact P=0 dial=c',
    'RINGRESULT localtodid contact P=0 dial=c state=NOANSWER',
    'COMPLETED localtodid contact P=0 hanged_by=local hanged_value=37167000000 is_answered=false',
  ]);
  for (const e of events) assert.equal((e.payload.data as { callback: { trace_id: string } }).callback.trace_id, 'crm-7781');
});

test('§5.6 variant: the operator does not answer, the contact gets a READY but no JOIN', () => {
  assert.deepEqual(lines(project(T.callback('operator-no-answer'))), [
    'START localtodid contact P=0',
    'RING localtodid contact P=0 dial=c',
    'RINGRESULT localtodid contact P=0 dial=c state=ANSWER',
    'READY localtodid contact P=0 phone:37126666666',
    'RING localtosip operator P=0 dial=o',
    'RINGRESULT localtosip operator P=0 dial=o state=NOANSWER',
    // Decision (spec Q6): the contact leg answered, so is_answered=true.
    'COMPLETED localtosip operator P=0 hanged_by=local hanged_value=37167000000 is_answered=true',
  ]);
});

test('§5.6 variant: leg 1 is a SIP number, the session opens with localtosip/operator; trace_id omitted when not supplied', () => {
  const events = project(T.callbackOperatorFirst());
  assert.deepEqual(lines(events), [
    'START localtosip operator P=0',
    'RING localtosip operator P=0 dial=o',
    'RINGRESULT localtosip operator P=0 dial=o state=CHANUNAVAIL',
    'COMPLETED localtosip operator P=0 hanged_by=local hanged_value=37167000000 is_answered=false',
  ]);
  assert.deepEqual(events[0]!.payload.data, {
    callback: { leg_1_phone_number: '101', leg_1_caller_id: '37167000000', leg_2_phone_number: '37126666666', leg_2_caller_id: '37167000000' },
  });
});

test('§5.7 autodialer, predictive (full payloads, campaign/contact on every event)', () => {
  const events = project(T.autodialerPredictive());
  assert.deepEqual(lines(events), [
    'START localtodid contact P=0',
    'RING localtodid contact P=0 dial=c',
    'RINGRESULT localtodid contact P=0 dial=c state=ANSWER',
    'READY localtodid contact P=0 phone:37126666666',
    'JOIN localtodid contact P=1 phone:37126666666',
    'RING localtosip operator P=1 dial=o-101',
    'RING localtosip operator P=1 dial=o-102',
    'RINGRESULT localtosip operator P=1 dial=o-101 state=ANSWER',
    'RINGRESULT localtosip operator P=1 dial=o-102 state=CANCEL',
    'READY localtosip operator P=1 sip:101 user=501',
    'JOIN localtosip operator P=2 sip:101 user=501',
    'LEAVE localtodid contact P=1 phone:37126666666',
    'LEAVE localtosip operator P=0 sip:101 user=501',
    'COMPLETED localtodid contact P=0 hanged_by=phone hanged_value=37126666666 is_answered=true audio_url',
  ]);
  const S = '1715679002.2210';
  const H = { accountcode: '20481', session_id: S, call_id: 'c-884131', direction: 'outbound', type: 'autodialer', subtype: 'predictive' };
  const data = { campaign_id: 312, contact_id: 90215 };
  const c = { ...data, dial_id: 'c', target: { type: 'phone', number: '37126666666' } };
  const o1 = { ...data, dial_id: 'o-101', target: { type: 'sip', number: '101', user: 501 } };
  const o2 = { ...data, dial_id: 'o-102', target: { type: 'sip', number: '102', user: 502 } };
  const contact = { phase: 'localtodid', leg: 'contact' };
  const operator = { phase: 'localtosip', leg: 'operator' };
  assert.deepEqual(
    events.map((e) => e.payload),
    [
      { event: 'START', id: id(S, 0), timestamp: '2024-05-14T09:29:56.004Z', ...H, ...contact, participants: 0, data },
      { event: 'RING', id: id(S, 1), timestamp: '2024-05-14T09:29:57.004Z', ...H, ...contact, participants: 0, data: c },
      { event: 'RINGRESULT', id: id(S, 2), timestamp: '2024-05-14T09:29:59.004Z', ...H, ...contact, participants: 0, state: 'ANSWER', data: c },
      { event: 'READY', id: id(S, 3), timestamp: '2024-05-14T09:30:00.004Z', ...H, ...contact, participants: 0, subject_type: 'phone', subject: '37126666666', data },
      { event: 'JOIN', id: id(S, 4), timestamp: '2024-05-14T09:30:01.004Z', ...H, ...contact, participants: 1, subject_type: 'phone', subject: '37126666666', data },
      { event: 'RING', id: id(S, 5), timestamp: '2024-05-14T09:30:02.004Z', ...H, ...operator, participants: 1, data: o1 },
      { event: 'RING', id: id(S, 6), timestamp: '2024-05-14T09:30:03.004Z', ...H, ...operator, participants: 1, data: o2 },
      { event: 'RINGRESULT', id: id(S, 7), timestamp: '2024-05-14T09:30:04.004Z', ...H, ...operator, participants: 1, state: 'ANSWER', data: o1 },
      { event: 'RINGRESULT', id: id(S, 8), timestamp: '2024-05-14T09:30:05.004Z', ...H, ...operator, participants: 1, state: 'CANCEL', data: o2 },
      { event: 'READY', id: id(S, 9), timestamp: '2024-05-14T09:30:06.004Z', ...H, ...operator, participants: 1, subject_type: 'sip', subject: '101', subject_user: 501, data },
      { event: 'JOIN', id: id(S, 10), timestamp: '2024-05-14T09:30:07.004Z', ...H, ...operator, participants: 2, subject_type: 'sip', subject: '101', subject_user: 501, data },
      { event: 'LEAVE', id: id(S, 11), timestamp: '2024-05-14T09:30:08.004Z', ...H, ...contact, participants: 1, subject_type: 'phone', subject: '37126666666', data },
      { event: 'LEAVE', id: id(S, 12), timestamp: '2024-05-14T09:30:09.004Z', ...H, ...operator, participants: 0, subject_type: 'sip', subject: '101', subject_user: 501, data },
      {
        event: 'COMPLETED', id: id(S, 13), timestamp: '2024-05-14T09:30:13.004Z', ...H, ...contact, participants: 0,
        hanged_by: 'phone', hanged_value: '37126666666', is_answered: true, audio_url: 'https://recordings.example.net/20481/c-884131.mp3', data,
      },
    ],
  );
  assert.deepEqual(events.at(-1)!.userIds, ['501', '502']);
});

test('§5.7 autodialer, contact-callflow: the first four lines, then the call flow; no operator leg', () => {
  const events = project(T.autodialerContactCallflow());
  assert.deepEqual(lines(events), [
    'START localtodid contact P=0',
    'RING localtodid contact P=0 dial=c',
    'RINGRESULT localtodid contact P=0 dial=c state=ANSWER',
    'READY localtodid contact P=0 phone:37126666666',
    'COMPLETED localtodid contact P=0 hanged_by=phone hanged_value=37126666666 is_answered=true',
  ]);
  for (const e of events) assert.equal(e.payload.subtype, 'contact-callflow');
});

test('§5.7 autodialer, operator-contact: the operator leg runs first up to its JOIN with P=1', () => {
  const events = project(T.autodialerOperatorContact());
  assert.deepEqual(lines(events), [
    'START localtosip operator P=0',
    'RING localtosip operator P=0 dial=o',
    'RINGRESULT localtosip operator P=0 dial=o state=ANSWER',
    'READY localtosip operator P=0 sip:101 user=501',
    'JOIN localtosip operator P=1 sip:101 user=501',
    'RING localtodid contact P=1 dial=c',
    'RINGRESULT localtodid contact P=1 dial=c state=ANSWER',
    'READY localtodid contact P=1 phone:37126666666',
    'JOIN localtodid contact P=2 phone:37126666666',
    'LEAVE localtosip operator P=1 sip:101 user=501',
    'LEAVE localtodid contact P=0 phone:37126666666',
    'COMPLETED localtosip operator P=0 hanged_by=sip hanged_value=101 hanged_user=501 is_answered=true',
  ]);
  for (const e of events) assert.deepEqual([e.payload.subtype, (e.payload.data as { campaign_id: number }).campaign_id], ['operator-contact', 314]);
});

test('§5.8 transfer: session A ends when 101 leaves; session B has type=transfer, a new session_id, the same call_id', () => {
  const a = project(T.transferSessionA());
  assert.deepEqual(lines(a), [
    'START didtodid P=0',
    'RING didtosip P=0 dial=d-101',
    'RINGRESULT didtosip P=0 dial=d-101 state=ANSWER',
    'READY didtosip P=0 sip:101 user=501',
    'READY didtosip P=0 phone:37120000001',
    'JOIN didtosip P=1 phone:37120000001',
    'JOIN didtosip P=2 sip:101 user=501',
    'LEAVE didtosip P=1 sip:101 user=501',
    'LEAVE didtosip P=0 phone:37120000001',
    'COMPLETED didtosip P=0 hanged_by=sip hanged_value=101 hanged_user=501 is_answered=true audio_url',
  ]);
  // The spec's session-B timeline has no READY for the transferred caller (its media carried over from
  // session A), which §6 rule 4 (READY before JOIN) would want; the checker reports exactly that.
  const b = project(T.transferSessionB(), ['#4 JOIN: JOIN of phone:37120000001 while not ready']);
  assert.deepEqual(lines(b), [
    'START didtosip P=0',
    'RING didtosip P=0 dial=d-102',
    'RINGRESULT didtosip P=0 dial=d-102 state=ANSWER',
    'READY didtosip P=0 sip:102 user=502',
    'JOIN didtosip P=1 phone:37120000001',
    'JOIN didtosip P=2 sip:102 user=502',
    'LEAVE didtosip P=1 phone:37120000001',
    'LEAVE didtosip P=0 sip:102 user=502',
    'COMPLETED didtosip P=0 hanged_by=phone hanged_value=37120000001 is_answered=true',
  ]);
  for (const e of a) assert.deepEqual([e.payload.type, e.payload.call_id, e.payload.session_id], ['standard', 'c-884170', '1715682000.2400']);
  for (const e of b) {
    assert.deepEqual([e.payload.type, e.payload.call_id, e.payload.session_id, e.payload.direction], ['transfer', 'c-884170', '1715682060.2401', 'inbound']);
    assert.equal(e.payload.leg, undefined);
  }
});

test('§5.9 busy: outbound SIP call to a phone', () => {
  assert.deepEqual(lines(project(T.outboundBusy())), [
    'START siptodid P=0',
    'RING siptodid P=0 dial=d-ext',
    'RINGRESULT siptodid P=0 dial=d-ext state=BUSY',
    'COMPLETED siptodid P=0 hanged_by=sip hanged_value=101 hanged_user=501 is_answered=false',
  ]);
});

test('§5.10 the caller hangs up while ringing', () => {
  assert.deepEqual(lines(project(T.inboundCallerCancels())), [
    'START didtodid P=0',
    'RING didtosip P=0 dial=d-101',
    'RINGRESULT didtosip P=0 dial=d-101 state=CANCEL',
    'COMPLETED didtosip P=0 hanged_by=phone hanged_value=37120000001 is_answered=false',
  ]);
});

test('§3 the seven example payloads, with our full ids and the data.dial_id/target extension on RING/RINGRESULT', () => {
  const find = (events: ReturnType<typeof project>, name: string, n = 0) => events.filter((e) => e.name === name)[n]!.payload;
  const outbound = project(T.outboundAnswered());
  const S1 = '1715678467.1842';
  assert.deepEqual(find(outbound, 'START'), {
    event: 'START', id: id(S1, 0), timestamp: '2024-05-14T09:21:07.120Z', accountcode: '20481', session_id: S1, call_id: 'c-884120',
    direction: 'outbound', type: 'standard', phase: 'siptodid', participants: 0,
  });
  const dialer = project(T.autodialerPredictive());
  const S2 = '1715679002.2210';
  assert.deepEqual(find(dialer, 'RING', 1), {
    event: 'RING', id: id(S2, 5), timestamp: '2024-05-14T09:30:02.004Z', accountcode: '20481', session_id: S2, call_id: 'c-884131',
    direction: 'outbound', type: 'autodialer', subtype: 'predictive', phase: 'localtosip', leg: 'operator', participants: 1,
    data: { campaign_id: 312, contact_id: 90215, dial_id: 'o-101', target: { type: 'sip', number: '101', user: 501 } },
  });
  const inbound = project(T.inboundAnswered());
  const S3 = '1715680925.2301';
  assert.deepEqual(find(inbound, 'RINGRESULT'), {
    event: 'RINGRESULT', id: id(S3, 2), timestamp: '2024-05-14T10:02:11.870Z', accountcode: '20481', session_id: S3, call_id: 'c-884150',
    direction: 'inbound', type: 'standard', phase: 'didtosip', participants: 0, state: 'ANSWER',
    data: { dial_id: 'd-101', target: { type: 'sip', number: '101', user: 501 } },
  });
  const playaudio = project(T.inboundPlayaudio());
  const S4 = '1715681740.2355';
  assert.deepEqual(find(playaudio, 'READY'), {
    event: 'READY', id: id(S4, 1), timestamp: '2024-05-14T10:15:40.300Z', accountcode: '20481', session_id: S4, call_id: 'c-884162',
    direction: 'inbound', type: 'standard', phase: 'didtodid', participants: 0, subject_type: 'phone', subject: '37120000001',
  });
  assert.deepEqual(find(outbound, 'JOIN'), {
    event: 'JOIN', id: id(S1, 5), timestamp: '2024-05-14T09:21:19.455Z', accountcode: '20481', session_id: S1, call_id: 'c-884120',
    direction: 'outbound', type: 'standard', phase: 'siptodid', participants: 1, subject_type: 'sip', subject: '101', subject_user: 501,
  });
  assert.deepEqual(find(outbound, 'LEAVE'), {
    event: 'LEAVE', id: id(S1, 7), timestamp: '2024-05-14T09:24:02.010Z', accountcode: '20481', session_id: S1, call_id: 'c-884120',
    direction: 'outbound', type: 'standard', phase: 'siptodid', participants: 1, subject_type: 'phone', subject: '37129999999',
  });
  assert.deepEqual(find(outbound, 'COMPLETED'), {
    event: 'COMPLETED', id: id(S1, 9), timestamp: '2024-05-14T09:24:02.350Z', accountcode: '20481', session_id: S1, call_id: 'c-884120',
    direction: 'outbound', type: 'standard', phase: 'siptodid', participants: 0, hanged_by: 'phone', hanged_value: '37129999999',
    is_answered: true, audio_url: 'https://recordings.example.net/20481/c-884120.mp3',
  });
});

test('every teltel event name appears in the golden tests above', () => {
  assert.deepEqual([...TELTEL_EVENT_NAMES].filter((n) => !seenNames.has(n)), []);
  assert.deepEqual([...seenNames].sort(), [...TELTEL_EVENT_NAMES].sort());
});
