/**
 * Golden tests: the example payloads of spec bandwidth §2 and every event sequence of §4, written as
 * canonical facts with CallScript and compared with expected payloads written out literally.
 * Every event emitted here is validated against its schema, and the last test checks that every event
 * name of the dialect appeared in some golden timeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallScript, phone } from '../../../test/support/call-script.js';
import type { Fact, MessageFact } from '../../events/model/facts.js';
import type { WireEvent } from '../dialect.js';
import { WireSchemaValidator } from '../schema-validator.js';
import { bandwidthDialect, bandwidthSchemas } from './index.js';
import { bandwidthInvariantProblems } from './invariants.js';

const PUBLIC_URL = 'https://api.catapult.inetwork.com';
const USER = 'https://api.catapult.inetwork.com/v1/users/u-acme01';
const validator = new WireSchemaValidator(bandwidthSchemas);
const seen = new Set<string>();

/** Projects one session, checks every event against its schema and records the names seen. */
function project(facts: readonly Fact[]): WireEvent[] {
  const projector = bandwidthDialect.createProjector({ publicUrl: PUBLIC_URL });
  const events = facts.flatMap((f) => projector.apply(f));
  for (const e of events) {
    assert.deepEqual(validator.problems(e), [], JSON.stringify(e.payload));
    seen.add(e.name);
  }
  assert.deepEqual(bandwidthInvariantProblems(events, { complete: true }), []);
  return events;
}

const names = (events: readonly WireEvent[]) => events.map((e) => e.name);
const payloads = (events: readonly WireEvent[]) => events.map((e) => e.payload);
const T = (hms: string, day = '2019-03-04') => Date.parse(`${day}T${hms}Z`);

/** A script whose clock only moves when told to, so every fact has the time the spec example shows. */
function script(id: string, start: string): CallScript {
  return new CallScript(id, T(start), 0);
}
function at(s: CallScript, hms: string): CallScript {
  s.now = T(hms);
  return s;
}

type App = { id: string; userId: string; tag?: string };
const APP: App = { id: 'a-voice01', userId: 'u-acme01' };
const TAGGED_APP: App = { ...APP, tag: 'order-7781' };
const BASE = { accountId: 'acc-1', accountcode: 'demo', callId: '1551712801.1', kind: 'application' as const };
const CALLER = '+14045550111';
const OUR_NUMBER = '+19195550100';
const CALLEE = '+14045550199';

/** An application session for a call arriving on OUR_NUMBER. */
function inbound(s: CallScript, application: App = APP): CallScript {
  return s.start({ ...BASE, from: phone(CALLER), to: phone(OUR_NUMBER), application });
}
/** An application session placing a call from OUR_NUMBER (spec bandwidth §3.2 `POST /calls`). */
function outbound(s: CallScript, application: App = TAGGED_APP, to = CALLEE): CallScript {
  return s.start({ ...BASE, from: phone(OUR_NUMBER), to: phone(to), application });
}

const A = 'c-4hq2wz7kd3ma';
const B = 'c-9ptx0v2rnbq';
const uriA = `${USER}/calls/${A}`;
const uriB = `${USER}/calls/${B}`;

// ── §2 example payloads ──────────────────────────────────────────────────────────────────────────

test('§2.2 incomingcall, §2.7 playback, §2.8 speak, §2.9 dtmf, §2.10 gather, §2.11 recording, §2.12 transcription examples', () => {
  const s = inbound(script('bw-examples-in', '15:20:00.000'));
  at(s, '15:20:01.120').leg(A, 'caller', phone(CALLER));
  at(s, '15:20:01.500').answered(A);
  at(s, '15:20:02.010').push({ type: 'playback.started', playbackId: 'p1', target: { legId: A }, source: 'speech', tag: 'greeting' });
  at(s, '15:20:04.000').push({ type: 'playback.finished', playbackId: 'p1', target: { legId: A }, source: 'speech', outcome: 'done', tag: 'greeting' });
  at(s, '15:20:05.000').push({ type: 'playback.started', playbackId: 'p2', target: { legId: A }, source: 'file', tag: 'welcome-file' });
  // Stopped by a digit, and the finish carries no tag: still `done` with the start's tag (spec §3.4, §1.4).
  at(s, '15:20:09.500').push({ type: 'playback.finished', playbackId: 'p2', target: { legId: A }, source: 'file', outcome: 'stopped' });
  at(s, '15:20:15.020').dtmf(A, '7', 120);
  at(s, '15:20:30.000').push({ type: 'gather.completed', legId: A, gatherId: 'g-55ka1', digits: '4821', reason: 'terminating-digit', terminatingDigit: '#', tag: 'pin-entry' });
  at(s, '15:21:02.450').push({ type: 'recording.finished', recordingId: 'rec-2b8f', legId: A, url: 'http://127.0.0.1:8080/recordings/rec-2b8f.wav', startedAt: T('15:20:31.000'), status: 'complete', purpose: 'call' });
  at(s, '15:21:10.000').push({ type: 'transcription.finished', transcriptionId: 'tr-77q', recordingId: 'rec-2b8f', status: 'completed', text: 'Hi, this is Dana, please call me back today.', textUrl: 'http://127.0.0.1:8080/media/tr-77q' });
  at(s, '15:21:20.000').ended(A, 'remote');
  s.end(phone(CALLER), 'normal', A);
  const events = project(s.facts);
  assert.deepEqual(payloads(events), [
    { eventType: 'incomingcall', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'active', applicationId: 'a-voice01', time: '2019-03-04T15:20:01.120Z' },
    { eventType: 'answer', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'active', time: '2019-03-04T15:20:01.500Z' },
    { eventType: 'speak', callId: A, callUri: uriA, status: 'started', state: 'PLAYBACK_START', tag: 'greeting', time: '2019-03-04T15:20:02.010Z' },
    { eventType: 'speak', callId: A, callUri: uriA, status: 'done', state: 'PLAYBACK_STOP', tag: 'greeting', time: '2019-03-04T15:20:04.000Z' },
    { eventType: 'playback', callId: A, callUri: uriA, status: 'started', tag: 'welcome-file', time: '2019-03-04T15:20:05.000Z' },
    { eventType: 'playback', callId: A, callUri: uriA, status: 'done', tag: 'welcome-file', time: '2019-03-04T15:20:09.500Z' },
    { eventType: 'dtmf', callId: A, callUri: uriA, dtmfDigit: '7', dtmfDuration: '120', time: '2019-03-04T15:20:15.020Z' },
    { eventType: 'gather', state: 'completed', reason: 'terminating-digit', digits: '4821', callId: A, gatherId: 'g-55ka1', tag: 'pin-entry', time: '2019-03-04T15:20:30.000Z' },
    {
      eventType: 'recording',
      callId: A,
      recordingId: 'rec-2b8f',
      recordingUri: `${USER}/recordings/rec-2b8f`,
      status: 'complete',
      state: 'complete',
      startTime: '2019-03-04T15:20:31.000Z',
      endTime: '2019-03-04T15:21:02.450Z',
    },
    {
      eventType: 'transcription',
      transcriptionId: 'tr-77q',
      recordingId: 'rec-2b8f',
      state: 'completed',
      status: 'completed',
      // The spec's example prints 41, but its text has 44 characters; textSize is the text's length (§2.12).
      textSize: 44,
      text: 'Hi, this is Dana, please call me back today.',
      textUrl: `${USER}/media/tr-77q`,
      transcriptionUri: `${USER}/recordings/rec-2b8f/transcriptions/tr-77q`,
    },
    { eventType: 'hangup', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'completed', cause: 'NORMAL_CLEARING', time: '2019-03-04T15:21:20.000Z' },
  ]);
  for (const e of events) {
    assert.equal(e.dialect, 'bandwidth');
    assert.equal(e.name, e.payload.eventType);
    assert.equal(e.sessionId, 'bw-examples-in');
    assert.equal(e.accountId, 'acc-1');
    assert.deepEqual(e.userIds, []);
    assert.deepEqual(e.route, { callId: A, applicationId: 'a-voice01' });
  }
});

test('§2.3 answer example: a tagged outbound call', () => {
  const s = outbound(script('bw-answer', '15:21:00.000'));
  at(s, '15:21:01.000').leg(B, 'callee', phone(CALLEE)).ringing(B);
  at(s, '15:21:10.004').answered(B).media(B);
  at(s, '15:25:44.300').ended(B, 'remote');
  s.end(phone(CALLEE), 'normal', B);
  assert.deepEqual(payloads(project(s.facts)), [
    { eventType: 'answer', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, callState: 'active', tag: 'order-7781', time: '2019-03-04T15:21:10.004Z' },
    { eventType: 'hangup', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, callState: 'completed', cause: 'NORMAL_CLEARING', tag: 'order-7781', time: '2019-03-04T15:25:44.300Z' },
  ]);
});

test('§2.4 timeout example, §4.2 outbound call not answered: timeout then hangup NO_ANSWER', () => {
  const s = outbound(script('bw-timeout', '15:21:50.000'));
  at(s, '15:21:50.010').leg(B, 'callee', phone(CALLEE)).ringing(B);
  at(s, '15:22:10.010').failed(B, 'NOANSWER', 408);
  s.end(phone(OUR_NUMBER), 'no-answer');
  const events = project(s.facts);
  assert.deepEqual(names(events), ['timeout', 'hangup']);
  assert.deepEqual(payloads(events), [
    { eventType: 'timeout', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, tag: 'order-7781', time: '2019-03-04T15:22:10.010Z' },
    { eventType: 'hangup', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, callState: 'completed', cause: 'NO_ANSWER', tag: 'order-7781', time: '2019-03-04T15:22:10.010Z' },
  ]);
});

test('§2.5 hangup example: an untagged outbound call ends normally', () => {
  const s = outbound(script('bw-hangup', '15:21:00.000'), APP);
  at(s, '15:21:01.000').leg(B, 'callee', phone(CALLEE));
  at(s, '15:21:10.004').answered(B);
  at(s, '15:25:44.300').ended(B, 'local');
  s.end(phone(OUR_NUMBER), 'normal');
  const events = project(s.facts);
  assert.deepEqual(names(events), ['answer', 'hangup']);
  assert.deepEqual(events[1]!.payload, {
    eventType: 'hangup',
    callId: B,
    callUri: uriB,
    from: OUR_NUMBER,
    to: CALLEE,
    callState: 'completed',
    cause: 'NORMAL_CLEARING',
    time: '2019-03-04T15:25:44.300Z',
  });
});

test('§2.6 reject example, §4.4 inbound call rejected: incomingcall then hangup CALL_REJECTED, never eventType reject', () => {
  const s = inbound(script('bw-reject', '15:20:00.000'));
  at(s, '15:20:01.120').leg(A, 'caller', phone(CALLER));
  at(s, '15:20:03.000').ended(A, 'local', 'rejected');
  s.end(phone(CALLER), 'rejected', A);
  const events = project(s.facts);
  assert.deepEqual(payloads(events), [
    { eventType: 'incomingcall', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'active', applicationId: 'a-voice01', time: '2019-03-04T15:20:01.120Z' },
    { eventType: 'hangup', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'completed', cause: 'CALL_REJECTED', time: '2019-03-04T15:20:03.000Z' },
  ]);
  assert.ok(!names(events).includes('reject'));
});

test('§2.13 conference, §2.14 conference-member, §2.15 conference-speak examples; §4.6 conference with members, mute, audio, leave, completion', () => {
  const M1 = 'c-m1';
  const M2 = 'c-m2a';
  const CONF = 'conf-k3d9';
  const confUri = `${USER}/conferences/${CONF}`;
  const s = outbound(script('bw-conference', '15:59:59.000'), APP, '+14045550101');
  at(s, '16:00:00.000').push({ type: 'conference.created', conferenceId: CONF });
  at(s, '16:00:10.000').leg(M1, 'callee', phone('+14045550101'));
  at(s, '16:00:20.000').answered(M1).media(M1).joined(M1, CONF);
  at(s, '16:00:30.000').push({ type: 'conference.member', conferenceId: CONF, memberId: 'member-p1', legId: M1, state: 'active', mute: false, hold: false, activeMembers: 1 });
  at(s, '16:01:00.000').push({ type: 'playback.started', playbackId: 'cs1', target: { conferenceId: CONF }, source: 'speech' });
  at(s, '16:01:04.000').push({ type: 'playback.finished', playbackId: 'cs1', target: { conferenceId: CONF }, source: 'speech', outcome: 'done' });
  at(s, '16:04:00.000').leg(M2, 'callee', phone('+14045550102'));
  at(s, '16:04:30.000').answered(M2).media(M2).joined(M2, CONF);
  at(s, '16:05:00.000').push({ type: 'conference.member', conferenceId: CONF, memberId: 'member-p4', legId: M2, state: 'active', mute: false, hold: false, activeMembers: 2 });
  at(s, '16:05:12.000').push({ type: 'conference.member', conferenceId: CONF, memberId: 'member-p4', legId: M2, state: 'active', mute: true, hold: false, activeMembers: 2 });
  at(s, '16:10:00.000').push({ type: 'playback.started', playbackId: 'cp1', target: { conferenceId: CONF }, source: 'file', tag: 'hold-music' });
  at(s, '16:10:30.000').push({ type: 'playback.finished', playbackId: 'cp1', target: { conferenceId: CONF }, source: 'file', outcome: 'stopped', tag: 'hold-music' });
  // Member audio is reported as that call's playback (spec §1.1, §4.6 step 4).
  at(s, '16:11:00.000').push({ type: 'playback.started', playbackId: 'mp1', target: { legId: M2 }, source: 'file' });
  at(s, '16:11:05.000').push({ type: 'playback.finished', playbackId: 'mp1', target: { legId: M2 }, source: 'file', outcome: 'done' });
  at(s, '16:40:00.000').left(M2, CONF);
  at(s, '16:40:00.100').push({ type: 'conference.member', conferenceId: CONF, memberId: 'member-p4', legId: M2, state: 'completed', mute: true, hold: false, activeMembers: 1 });
  at(s, '16:40:00.200').ended(M2, 'remote');
  at(s, '16:42:10.000').left(M1, CONF);
  at(s, '16:42:10.100').push({ type: 'conference.member', conferenceId: CONF, memberId: 'member-p1', legId: M1, state: 'completed', mute: false, hold: false, activeMembers: 0 });
  at(s, '16:42:10.500').push({ type: 'conference.completed', conferenceId: CONF, createdAt: T('16:00:00.000') });
  at(s, '16:42:11.000').ended(M1, 'local');
  s.end(phone(OUR_NUMBER), 'normal');
  const events = project(s.facts);
  const m1 = { callId: M1, callUri: `${USER}/calls/${M1}`, from: OUR_NUMBER, to: '+14045550101' };
  const m2 = { callId: M2, callUri: `${USER}/calls/${M2}`, from: OUR_NUMBER, to: '+14045550102' };
  const p1Uri = `${confUri}/members/member-p1`;
  const p4Uri = `${confUri}/members/member-p4`;
  assert.deepEqual(payloads(events), [
    { eventType: 'conference', conferenceId: CONF, conferenceUri: confUri, status: 'created', createdTime: '2019-03-04T16:00:00.000Z' },
    { eventType: 'answer', ...m1, callState: 'active', time: '2019-03-04T16:00:20.000Z' },
    { eventType: 'conference-member', activeMembers: 1, conferenceId: CONF, callId: M1, memberId: 'member-p1', memberUri: p1Uri, state: 'active', hold: false, mute: false, time: '2019-03-04T16:00:30.000Z' },
    { eventType: 'conference-speak', conferenceId: CONF, conferenceUri: confUri, status: 'started', time: '2019-03-04T16:01:00.000Z' },
    { eventType: 'conference-speak', conferenceId: CONF, conferenceUri: confUri, status: 'done', time: '2019-03-04T16:01:04.000Z' },
    { eventType: 'answer', ...m2, callState: 'active', time: '2019-03-04T16:04:30.000Z' },
    { eventType: 'conference-member', activeMembers: 2, conferenceId: CONF, callId: M2, memberId: 'member-p4', memberUri: p4Uri, state: 'active', hold: false, mute: false, time: '2019-03-04T16:05:00.000Z' },
    { eventType: 'conference-member', activeMembers: 2, conferenceId: CONF, callId: M2, memberId: 'member-p4', memberUri: p4Uri, state: 'active', hold: false, mute: true, time: '2019-03-04T16:05:12.000Z' },
    { eventType: 'conference-playback', conferenceId: CONF, conferenceUri: confUri, status: 'started', tag: 'hold-music', time: '2019-03-04T16:10:00.000Z' },
    { eventType: 'conference-playback', conferenceId: CONF, conferenceUri: confUri, status: 'done', tag: 'hold-music', time: '2019-03-04T16:10:30.000Z' },
    { eventType: 'playback', callId: M2, callUri: m2.callUri, status: 'started', time: '2019-03-04T16:11:00.000Z' },
    { eventType: 'playback', callId: M2, callUri: m2.callUri, status: 'done', time: '2019-03-04T16:11:05.000Z' },
    { eventType: 'conference-member', activeMembers: 1, conferenceId: CONF, callId: M2, memberId: 'member-p4', memberUri: p4Uri, state: 'completed', hold: false, mute: true, time: '2019-03-04T16:40:00.100Z' },
    { eventType: 'hangup', ...m2, callState: 'completed', cause: 'NORMAL_CLEARING', time: '2019-03-04T16:40:00.200Z' },
    { eventType: 'conference-member', activeMembers: 0, conferenceId: CONF, callId: M1, memberId: 'member-p1', memberUri: p1Uri, state: 'completed', hold: false, mute: false, time: '2019-03-04T16:42:10.100Z' },
    { eventType: 'conference', conferenceId: CONF, conferenceUri: confUri, status: 'completed', createdTime: '2019-03-04T16:00:00.000Z', completedTime: '2019-03-04T16:42:10.500Z' },
    { eventType: 'hangup', ...m1, callState: 'completed', cause: 'NORMAL_CLEARING', time: '2019-03-04T16:42:11.000Z' },
  ]);
  for (const e of events) {
    const expected = e.name.startsWith('conference') ? { conferenceId: CONF, applicationId: 'a-voice01' } : { callId: e.payload.callId, applicationId: 'a-voice01' };
    assert.deepEqual(e.route, expected, e.name);
  }
});

// ── §4 event sequences ──────────────────────────────────────────────────────────────────────────

test('§4.1 outbound call answered, hung up, then recording and transcription', () => {
  const s = outbound(script('bw-4.1', '10:00:00.000'));
  at(s, '10:00:00.100').leg(B, 'callee', phone(CALLEE)).ringing(B);
  at(s, '10:00:05.000').answered(B).media(B);
  at(s, '10:02:00.000').ended(B, 'remote');
  at(s, '10:02:01.000').push({ type: 'recording.finished', recordingId: 'rec-1', legId: B, url: 'http://127.0.0.1:8080/recordings/rec-1.wav', startedAt: T('10:00:05.000'), status: 'complete', purpose: 'call' });
  at(s, '10:02:09.000').push({ type: 'transcription.finished', transcriptionId: 'tr-1', recordingId: 'rec-1', status: 'completed', text: 'Thanks for calling.' });
  s.end(phone(CALLEE), 'normal', B);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['answer', 'hangup', 'recording', 'transcription']);
  assert.deepEqual(payloads(events), [
    { eventType: 'answer', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, callState: 'active', tag: 'order-7781', time: '2019-03-04T10:00:05.000Z' },
    { eventType: 'hangup', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, callState: 'completed', cause: 'NORMAL_CLEARING', tag: 'order-7781', time: '2019-03-04T10:02:00.000Z' },
    {
      eventType: 'recording',
      callId: B,
      recordingId: 'rec-1',
      recordingUri: `${USER}/recordings/rec-1`,
      status: 'complete',
      state: 'complete',
      startTime: '2019-03-04T10:00:05.000Z',
      endTime: '2019-03-04T10:02:01.000Z',
      tag: 'order-7781',
    },
    {
      eventType: 'transcription',
      transcriptionId: 'tr-1',
      recordingId: 'rec-1',
      state: 'completed',
      status: 'completed',
      textSize: 19,
      text: 'Thanks for calling.',
      textUrl: `${USER}/media/tr-1`,
      transcriptionUri: `${USER}/recordings/rec-1/transcriptions/tr-1`,
    },
  ]);
  // The transcription goes to the recording's call (spec §4.5 step 4 Proposed).
  assert.deepEqual(events[3]!.route, { callId: B, applicationId: 'a-voice01' });
});

test('§4.1 outbound call busy, invalid number, SIP failure: hangup replaces answer', () => {
  const cases = [
    { result: 'BUSY', sip: 486, cause: 'busy', wire: 'USER_BUSY' },
    { result: 'CHANUNAVAIL', sip: 404, cause: 'unallocated', wire: 'UNALLOCATED_NUMBER' },
    { result: 'DONTCALL', sip: 603, cause: 'rejected', wire: 'CALL_REJECTED' },
    { result: 'CHANUNAVAIL', sip: 503, cause: 'temporary-failure', wire: 'NORMAL_TEMPORARY_FAILURE' },
    { result: 'CONGESTION', sip: 503, cause: 'congestion', wire: 'SWITCH_CONGESTION' },
    { result: 'ABORT', sip: 500, cause: 'error', wire: 'UNSPECIFIED' },
  ] as const;
  for (const c of cases) {
    const s = outbound(script(`bw-4.1-${c.wire}`, '10:00:00.000'));
    at(s, '10:00:00.100').leg(B, 'callee', phone(CALLEE)).ringing(B);
    at(s, '10:00:03.000').push({ type: 'leg.failed', legId: B, result: c.result, sipStatus: c.sip, cause: c.cause });
    s.end(phone(OUR_NUMBER), c.cause);
    assert.deepEqual(payloads(project(s.facts)), [
      { eventType: 'hangup', callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE, callState: 'completed', cause: c.wire, tag: 'order-7781', time: '2019-03-04T10:00:03.000Z' },
    ]);
  }
});

test('§4.3 inbound call answered, speak, gather with a spoken prompt, hangup by the app', () => {
  const s = inbound(script('bw-4.3', '11:00:00.000'));
  at(s, '11:00:00.100').leg(A, 'caller', phone(CALLER));
  at(s, '11:00:01.000').answered(A).media(A);
  at(s, '11:00:01.200').push({ type: 'playback.started', playbackId: 'greet', target: { legId: A }, source: 'speech', tag: 'greet' });
  at(s, '11:00:03.000').push({ type: 'playback.finished', playbackId: 'greet', target: { legId: A }, source: 'speech', outcome: 'done', tag: 'greet' });
  // The gather's prompt (spec §4.3 step 5 Proposed): speak events without a tag, interrupted by the first digit.
  at(s, '11:00:03.100').push({ type: 'playback.started', playbackId: 'prompt', target: { legId: A }, source: 'speech' });
  at(s, '11:00:04.000').dtmf(A, '4', 90);
  at(s, '11:00:04.010').push({ type: 'playback.finished', playbackId: 'prompt', target: { legId: A }, source: 'speech', outcome: 'stopped' });
  at(s, '11:00:05.000').dtmf(A, '8', 100);
  at(s, '11:00:06.000').dtmf(A, '2', 110);
  at(s, '11:00:07.000').dtmf(A, '1', 95);
  at(s, '11:00:08.000').dtmf(A, '#', 130);
  at(s, '11:00:08.010').push({ type: 'gather.completed', legId: A, gatherId: 'g-1', digits: '4821', reason: 'terminating-digit', terminatingDigit: '#' });
  at(s, '11:00:20.000').ended(A, 'local');
  s.end(phone(OUR_NUMBER), 'normal');
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'speak', 'speak', 'speak', 'dtmf', 'speak', 'dtmf', 'dtmf', 'dtmf', 'dtmf', 'gather', 'hangup']);
  const call = { callId: A, callUri: uriA };
  const dtmf = (digit: string, ms: string, time: string) => ({ eventType: 'dtmf', ...call, dtmfDigit: digit, dtmfDuration: ms, time: `2019-03-04T${time}Z` });
  assert.deepEqual(payloads(events), [
    { eventType: 'incomingcall', ...call, from: CALLER, to: OUR_NUMBER, callState: 'active', applicationId: 'a-voice01', time: '2019-03-04T11:00:00.100Z' },
    { eventType: 'answer', ...call, from: CALLER, to: OUR_NUMBER, callState: 'active', time: '2019-03-04T11:00:01.000Z' },
    { eventType: 'speak', ...call, status: 'started', state: 'PLAYBACK_START', tag: 'greet', time: '2019-03-04T11:00:01.200Z' },
    { eventType: 'speak', ...call, status: 'done', state: 'PLAYBACK_STOP', tag: 'greet', time: '2019-03-04T11:00:03.000Z' },
    { eventType: 'speak', ...call, status: 'started', state: 'PLAYBACK_START', time: '2019-03-04T11:00:03.100Z' },
    dtmf('4', '90', '11:00:04.000'),
    { eventType: 'speak', ...call, status: 'done', state: 'PLAYBACK_STOP', time: '2019-03-04T11:00:04.010Z' },
    dtmf('8', '100', '11:00:05.000'),
    dtmf('2', '110', '11:00:06.000'),
    dtmf('1', '95', '11:00:07.000'),
    dtmf('#', '130', '11:00:08.000'),
    { eventType: 'gather', state: 'completed', reason: 'terminating-digit', digits: '4821', callId: A, gatherId: 'g-1', time: '2019-03-04T11:00:08.010Z' },
    { eventType: 'hangup', ...call, from: CALLER, to: OUR_NUMBER, callState: 'completed', cause: 'NORMAL_CLEARING', time: '2019-03-04T11:00:20.000Z' },
  ]);
});

test('§4.3 caller hangs up during the gather: gather hung-up, then hangup', () => {
  const s = inbound(script('bw-4.3-hungup', '11:00:00.000'));
  at(s, '11:00:00.100').leg(A, 'caller', phone(CALLER));
  at(s, '11:00:01.000').answered(A).media(A);
  at(s, '11:00:02.000').dtmf(A, '1');
  at(s, '11:00:03.000').push({ type: 'gather.completed', legId: A, gatherId: 'g-2', digits: '1', reason: 'hung-up', tag: 'pin-entry' });
  at(s, '11:00:03.001').ended(A, 'remote');
  s.end(phone(CALLER), 'normal', A);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'dtmf', 'gather', 'hangup']);
  assert.deepEqual(events[3]!.payload, { eventType: 'gather', state: 'completed', reason: 'hung-up', digits: '1', callId: A, gatherId: 'g-2', tag: 'pin-entry', time: '2019-03-04T11:00:03.000Z' });
  assert.equal(events[4]!.payload.cause, 'NORMAL_CLEARING');
});

test('§4.3 caller hangs up before the answer: hangup ORIGINATOR_CANCEL', () => {
  const s = inbound(script('bw-4.3-cancel', '11:00:00.000'));
  at(s, '11:00:00.100').leg(A, 'caller', phone(CALLER));
  at(s, '11:00:09.000').ended(A, 'remote', 'originator-cancel');
  s.end(phone(CALLER), 'originator-cancel', A);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'hangup']);
  assert.deepEqual(events[1]!.payload, {
    eventType: 'hangup',
    callId: A,
    callUri: uriA,
    from: CALLER,
    to: OUR_NUMBER,
    callState: 'completed',
    cause: 'ORIGINATOR_CANCEL',
    time: '2019-03-04T11:00:09.000Z',
  });
});

test('§4.5 recording with transcription: complete and error variants, long text cropped to 1026 characters', () => {
  const long = 'a'.repeat(1000) + '😀'.repeat(100);
  const s = inbound(script('bw-4.5', '12:00:00.000'), { ...APP, tag: 'support' });
  at(s, '12:00:00.100').leg(A, 'caller', phone(CALLER), { tag: 'support' });
  at(s, '12:00:01.000').answered(A).media(A);
  at(s, '12:01:00.000').push({ type: 'recording.finished', recordingId: 'rec-1', legId: A, url: 'http://127.0.0.1:8080/recordings/rec-1.wav', startedAt: T('12:00:01.000'), status: 'complete', purpose: 'call' });
  at(s, '12:01:30.000').push({ type: 'transcription.finished', transcriptionId: 'tr-1', recordingId: 'rec-1', status: 'completed', text: long });
  at(s, '12:02:00.000').push({ type: 'recording.finished', recordingId: 'rec-2', legId: A, url: 'http://127.0.0.1:8080/recordings/rec-2.wav', startedAt: T('12:01:10.000'), status: 'error', purpose: 'call' });
  at(s, '12:02:30.000').push({ type: 'transcription.finished', transcriptionId: 'tr-2', recordingId: 'rec-1', status: 'error' });
  at(s, '12:03:00.000').ended(A, 'remote');
  s.end(phone(CALLER), 'normal', A);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'recording', 'transcription', 'recording', 'transcription', 'hangup']);
  const t1 = events[3]!.payload;
  assert.equal(t1.textSize, 1100);
  assert.equal(t1.text, 'a'.repeat(1000) + '😀'.repeat(26));
  assert.deepEqual(events[4]!.payload, {
    eventType: 'recording',
    callId: A,
    recordingId: 'rec-2',
    recordingUri: `${USER}/recordings/rec-2`,
    status: 'error',
    state: 'error',
    startTime: '2019-03-04T12:01:10.000Z',
    endTime: '2019-03-04T12:02:00.000Z',
    tag: 'support',
  });
  assert.deepEqual(events[5]!.payload, { eventType: 'transcription', transcriptionId: 'tr-2', recordingId: 'rec-1', state: 'error', status: 'error' });
  // The inbound call's answer carries no tag (spec §1.4); its other events carry the call tag.
  assert.equal('tag' in events[1]!.payload, false);
  assert.equal(events[6]!.payload.tag, 'support');
});

test('§4.7 bridge of two calls: both answered, no bridge event, each leg hangs up on its own', () => {
  const s = inbound(script('bw-4.7', '13:00:00.000'));
  at(s, '13:00:00.100').leg(A, 'caller', phone(CALLER));
  at(s, '13:00:00.500').answered(A).media(A);
  // Leg B: POST /calls {from: A.to, to: target, tag: A.callId} (spec §4.7 step 2).
  at(s, '13:00:01.000').leg(B, 'callee', phone('+14045550177'), { callerId: OUR_NUMBER, tag: A }).ringing(B);
  at(s, '13:00:06.000').answered(B).media(B).joined(A, 'br-1').joined(B, 'br-1');
  at(s, '13:05:00.000').left(B, 'br-1').left(A, 'br-1').ended(B, 'remote');
  at(s, '13:05:01.000').ended(A, 'local');
  s.end(phone('+14045550177'), 'normal', B);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'answer', 'hangup', 'hangup']);
  const b = { callId: B, callUri: uriB, from: OUR_NUMBER, to: '+14045550177' };
  assert.deepEqual(events[2]!.payload, { eventType: 'answer', ...b, callState: 'active', tag: A, time: '2019-03-04T13:00:06.000Z' });
  assert.deepEqual(events[3]!.payload, { eventType: 'hangup', ...b, callState: 'completed', cause: 'NORMAL_CLEARING', tag: A, time: '2019-03-04T13:05:00.000Z' });
  assert.deepEqual(events[4]!.payload, { eventType: 'hangup', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'completed', cause: 'NORMAL_CLEARING', time: '2019-03-04T13:05:01.000Z' });
  assert.deepEqual(events.map((e) => e.route?.callId), [A, A, B, B, A]);
});

/** §4.8 step 1–2: call A answered, transferred to a new call B from a private caller id. */
function transferred(id: string): CallScript {
  const s = inbound(script(id, '14:00:00.000'));
  at(s, '14:00:00.100').leg(A, 'caller', phone(CALLER));
  at(s, '14:00:00.500').answered(A).media(A);
  at(s, '14:01:00.000').leg(B, 'callee', phone('+14045550188'), { callerId: 'private' }).ringing(B);
  return s;
}

test('§4.8 transfer: B answers, then either side ends and both get hangup NORMAL_CLEARING', () => {
  const s = transferred('bw-4.8');
  at(s, '14:01:05.000').answered(B).media(B).joined(A, 'x').joined(B, 'x');
  at(s, '14:03:00.000').left(B, 'x').left(A, 'x').ended(B, 'remote');
  at(s, '14:03:00.050').ended(A, 'local');
  s.end(phone('+14045550188'), 'normal', B);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'answer', 'hangup', 'hangup']);
  assert.deepEqual(events[2]!.payload, { eventType: 'answer', callId: B, callUri: uriB, from: 'private', to: '+14045550188', callState: 'active', time: '2019-03-04T14:01:05.000Z' });
  assert.deepEqual(
    events.slice(3).map((e) => [e.payload.callId, e.payload.cause]),
    [
      [B, 'NORMAL_CLEARING'],
      [A, 'NORMAL_CLEARING'],
    ],
  );
});

test('§4.8 transfer: B not answered gets timeout and hangup, and A is hung up', () => {
  const s = transferred('bw-4.8-fail');
  at(s, '14:01:30.000').failed(B, 'NOANSWER', 408);
  at(s, '14:01:30.010').ended(A, 'local');
  s.end(phone(OUR_NUMBER), 'normal');
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'timeout', 'hangup', 'hangup']);
  assert.deepEqual(events[2]!.payload, { eventType: 'timeout', callId: B, callUri: uriB, from: 'private', to: '+14045550188', time: '2019-03-04T14:01:30.000Z' });
  assert.deepEqual(
    events.slice(3).map((e) => [e.payload.callId, e.payload.cause]),
    [
      [B, 'NO_ANSWER'],
      [A, 'NORMAL_CLEARING'],
    ],
  );
});

test('§2.16 BXML transfer: the transferred B-leg ends, A gets transferComplete and stays active', () => {
  const s = transferred('bw-4.8-bxml');
  at(s, '14:01:05.000').answered(B).media(B);
  at(s, '14:02:00.000').ended(B, 'remote');
  at(s, '14:02:00.010').push({ type: 'transfer.completed', legId: A, targetLegId: B });
  at(s, '14:02:30.000').ended(A, 'remote');
  s.end(phone(CALLER), 'normal', A);
  const events = project(s.facts);
  assert.deepEqual(names(events), ['incomingcall', 'answer', 'answer', 'hangup', 'transferComplete', 'hangup']);
  assert.deepEqual(events[4]!.payload, { eventType: 'transferComplete', callId: A, callUri: uriA, from: CALLER, to: OUR_NUMBER, callState: 'active', time: '2019-03-04T14:02:00.010Z' });
  assert.deepEqual(events[4]!.route, { callId: A, applicationId: 'a-voice01' });
});

test('§2.16 error and redirect: a failure without hangup, a BXML redirect, then the call goes on', () => {
  const s = outbound(script('bw-2.16', '15:00:00.000'));
  at(s, '15:00:00.100').leg(B, 'callee', phone(CALLEE));
  at(s, '15:00:02.000').answered(B).media(B);
  at(s, '15:00:03.000').push({ type: 'leg.error', legId: B, message: 'audio file could not be fetched' });
  at(s, '15:00:04.000').push({ type: 'leg.redirected', legId: B });
  at(s, '15:00:05.000').ended(B, 'local');
  s.end(phone(OUR_NUMBER), 'normal');
  const events = project(s.facts);
  const call = { callId: B, callUri: uriB, from: OUR_NUMBER, to: CALLEE };
  assert.deepEqual(payloads(events), [
    { eventType: 'answer', ...call, callState: 'active', tag: 'order-7781', time: '2019-03-04T15:00:02.000Z' },
    { eventType: 'error', ...call, callState: 'error', tag: 'order-7781', time: '2019-03-04T15:00:03.000Z' },
    { eventType: 'redirect', ...call, callState: 'active', tag: 'order-7781', time: '2019-03-04T15:00:04.000Z' },
    { eventType: 'hangup', ...call, callState: 'completed', cause: 'NORMAL_CLEARING', tag: 'order-7781', time: '2019-03-04T15:00:05.000Z' },
  ]);
});

test('§2.16 sms and mms: a received text and a sent picture message with a tag', () => {
  const base = { sessionId: 'bw-msg', accountId: 'acc-1', accountcode: 'demo' };
  const received: MessageFact = { ...base, type: 'message.received', at: T('09:00:00.000'), messageId: 'm-6usa1', medium: 'sms', from: CALLER, to: OUR_NUMBER, body: 'x'.repeat(161), application: APP };
  const events = project([received]);
  assert.deepEqual(events.map((e) => [e.name, e.route, e.sessionId]), [['sms', { messageId: 'm-6usa1', applicationId: 'a-voice01' }, 'bw-msg']]);
  assert.deepEqual(events[0]!.payload, {
    eventType: 'sms',
    direction: 'in',
    from: CALLER,
    to: OUR_NUMBER,
    messageId: 'm-6usa1',
    messageUri: `${USER}/messages/m-6usa1`,
    text: 'x'.repeat(161),
    applicationId: 'a-voice01',
    time: '2019-03-04T09:00:00.000Z',
    state: 'received',
    segmentCount: 2,
  });
  const sent: MessageFact = {
    ...base,
    sessionId: 'bw-msg-2',
    type: 'message.sent',
    at: T('09:01:00.000'),
    messageId: 'm-7vtb2',
    medium: 'mms',
    from: OUR_NUMBER,
    to: CALLER,
    body: '',
    components: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 2048 }],
    application: { ...APP, tag: 'promo-1' },
  };
  assert.deepEqual(payloads(project([sent])), [
    {
      eventType: 'mms',
      direction: 'out',
      from: OUR_NUMBER,
      to: CALLER,
      messageId: 'm-7vtb2',
      messageUri: `${USER}/messages/m-7vtb2`,
      text: '',
      applicationId: 'a-voice01',
      time: '2019-03-04T09:01:00.000Z',
      state: 'sent',
      segmentCount: 1,
      tag: 'promo-1',
      media: [`${USER}/media/m-7vtb2-photo.jpg`],
    },
  ]);
});

test('every event name of the dialect appears in some golden timeline', () => {
  assert.deepEqual([...bandwidthDialect.eventNames].filter((n) => !seen.has(n)), []);
  assert.deepEqual([...seen].filter((n) => !bandwidthDialect.eventNames.includes(n)), []);
});
