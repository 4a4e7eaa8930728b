/**
 * Behaviour of the projector outside the happy paths: silent sessions, facts out of order, repeated or
 * malformed facts. None may throw, and none may break the stream's invariants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallScript, phone } from '../../../test/support/call-script.js';
import type { Fact } from '../../events/model/facts.js';
import { WireSchemaValidator } from '../schema-validator.js';
import { bandwidthDialect, bandwidthSchemas } from './index.js';
import { bandwidthInvariantProblems } from './invariants.js';

const validator = new WireSchemaValidator(bandwidthSchemas);
const APP = { id: 'a-voice01', userId: 'u-acme01' };
const BASE = { accountId: 'acc-1', accountcode: 'demo', callId: '1.1', kind: 'application' as const, from: phone('+19195550100'), to: phone('+14045550199') };

function projector() {
  return bandwidthDialect.createProjector({ publicUrl: 'https://ringside.example.test/' });
}

test('a session without an application is silent, whatever happens on it', () => {
  const s = new CallScript('plain');
  s.start({ ...BASE, kind: 'outbound' }).leg('L1', 'callee', phone('+14045550199')).up('L1').dtmf('L1', '5').ended('L1', 'remote').end(phone('+14045550199'));
  const p = projector();
  assert.deepEqual(s.facts.flatMap((f) => p.apply(f)), []);
});

test('a text without an application is silent', () => {
  const p = projector();
  const fact: Fact = { type: 'message.received', sessionId: 'm', at: 0, accountId: 'a', accountcode: 'a', messageId: 'm-1', medium: 'sms', from: '+1', to: '+2', body: 'hi' };
  assert.deepEqual(p.apply(fact), []);
});

test('facts before session.started, after session.ended, or for unknown legs produce nothing', () => {
  const s = new CallScript('order');
  s.answered('L1');
  s.start({ ...BASE, application: APP }).answered('L1').ended('L9', 'remote');
  s.leg('L1', 'callee', phone('+14045550199')).answered('L1').ended('L1', 'remote').end(phone('+14045550199'));
  s.leg('L2', 'callee', phone('+14045550199')).answered('L2');
  const p = projector();
  const events = s.facts.flatMap((f) => p.apply(f));
  assert.deepEqual(
    events.map((e) => e.name),
    ['answer', 'hangup'],
  );
});

test('a repeated answer or hangup is reported once, and nothing but recordings follows a hangup', () => {
  const s = new CallScript('dup');
  s.start({ ...BASE, application: APP }).leg('L1', 'callee', phone('+14045550199')).answered('L1').answered('L1');
  s.ended('L1', 'remote').ended('L1', 'local').dtmf('L1', '1').answered('L1');
  s.push({ type: 'playback.started', playbackId: 'p', target: { legId: 'L1' }, source: 'file' });
  s.push({ type: 'recording.finished', recordingId: 'r1', legId: 'L1', url: 'u', startedAt: s.now - 5000, status: 'complete', purpose: 'call' });
  const p = projector();
  const events = s.facts.flatMap((f) => p.apply(f));
  assert.deepEqual(
    events.map((e) => e.name),
    ['answer', 'hangup', 'recording'],
  );
  assert.equal(events[1]!.payload.callUri, 'https://ringside.example.test/v1/users/u-acme01/calls/L1');
});

test('a leg still up at session.ended gets its hangup with the session cause', () => {
  const s = new CallScript('open-leg');
  s.start({ ...BASE, application: APP }).leg('L1', 'callee', phone('+14045550199')).up('L1').end(phone('+19195550100'), 'error');
  const p = projector();
  const events = s.facts.flatMap((f) => p.apply(f));
  assert.deepEqual(
    events.map((e) => [e.name, e.payload.cause]),
    [
      ['answer', undefined],
      ['hangup', 'UNSPECIFIED'],
    ],
  );
  assert.deepEqual(bandwidthInvariantProblems(events, { complete: true }), []);
});

test('conference events need an open conference; a second creation or completion is ignored', () => {
  const s = new CallScript('conf');
  s.start({ ...BASE, application: APP });
  s.push({ type: 'conference.member', conferenceId: 'k', memberId: 'm', legId: 'L1', state: 'active', mute: false, hold: false, activeMembers: 1 });
  s.push({ type: 'conference.created', conferenceId: 'k', tag: 'room' }).push({ type: 'conference.created', conferenceId: 'k' });
  s.push({ type: 'conference.member', conferenceId: 'k', memberId: 'm', legId: 'L1', state: 'active', mute: false, hold: true, activeMembers: -3 });
  s.push({ type: 'conference.completed', conferenceId: 'k', createdAt: 0 }).push({ type: 'conference.completed', conferenceId: 'k', createdAt: 0 });
  s.push({ type: 'playback.started', playbackId: 'p', target: { conferenceId: 'k' }, source: 'speech' });
  s.push({ type: 'conference.created', conferenceId: 'k' }).end(phone('+1'));
  const p = projector();
  const events = s.facts.flatMap((f) => p.apply(f));
  assert.deepEqual(
    events.map((e) => [e.name, e.payload.status ?? e.payload.activeMembers, e.payload.tag]),
    [
      ['conference', 'created', 'room'],
      ['conference-member', 0, 'room'],
      ['conference', 'completed', 'room'],
    ],
  );
  for (const e of events) assert.deepEqual(validator.problems(e), []);
});

test('unknown and malformed facts never throw and report nothing', () => {
  const s = new CallScript('bad');
  s.start({ ...BASE, application: APP }).leg('L1', 'callee', phone('+14045550199')).answered('L1');
  const p = projector();
  for (const f of s.facts) p.apply(f);
  const garbage = [
    null,
    { type: 'no.such.fact', sessionId: 'bad', at: s.now },
    { type: 'playback.started', sessionId: 'bad', at: s.now, playbackId: 'p', source: 'file' },
    { type: 'dtmf', sessionId: 'bad', at: Number.NaN, legId: 'L1', digit: '1', durationMs: 1 },
    { type: 'dtmf', sessionId: 'bad', at: s.now, legId: 'L1', digit: '12', durationMs: 1 },
    { type: 'recording.finished', sessionId: 'bad', at: s.now, recordingId: 'r', legId: 'L1', startedAt: 1e300, status: 'complete' },
    { type: 'leg.created', sessionId: 'bad', at: s.now, legId: 'L1', direction: 'in', party: { number: '+1' } },
    { type: 'leg.created', sessionId: 'other', at: s.now, legId: 'L7', direction: 'in', party: { number: '+1' } },
    { type: 'message.sent', sessionId: 'bad', at: 'yesterday', application: APP, messageId: 'm', medium: 'mms' },
  ] as unknown as Fact[];
  for (const f of garbage) assert.deepEqual(p.apply(f), [], JSON.stringify(f));
  // The projector is still usable afterwards, and event ids continue without gaps.
  const events = p.apply({ type: 'leg.ended', sessionId: 'bad', at: s.now, legId: 'L1', by: 'remote', cause: 'normal' });
  assert.deepEqual(
    events.map((e) => e.name),
    ['hangup'],
  );
});

test('a conference session (no session.started) opens with conference.created carrying its account and user', () => {
  const CONF = 'conf-r00m';
  const at = (s: number) => Date.UTC(2026, 11, 7, 10, 0, s);
  const base = { sessionId: CONF };
  const facts: Fact[] = [
    { ...base, at: at(0), type: 'conference.created', conferenceId: CONF, tag: 'room', accountId: 'acc-1', application: { userId: 'u-acme01' } },
    { ...base, at: at(1), type: 'conference.member', conferenceId: CONF, memberId: 'member-1', legId: 'c-1', state: 'active', mute: false, hold: false, activeMembers: 1 },
    { ...base, at: at(2), type: 'playback.started', playbackId: 'p1', target: { conferenceId: CONF }, source: 'speech' },
    { ...base, at: at(3), type: 'playback.finished', playbackId: 'p1', target: { conferenceId: CONF }, source: 'speech', outcome: 'done' },
    { ...base, at: at(4), type: 'conference.member', conferenceId: CONF, memberId: 'member-1', legId: 'c-1', state: 'completed', mute: false, hold: false, activeMembers: 0 },
    { ...base, at: at(5), type: 'conference.completed', conferenceId: CONF, createdAt: at(0) },
  ];
  const p = projector();
  const events = facts.flatMap((f) => p.apply(f));
  assert.deepEqual(
    events.map((e) => [e.name, e.payload.status ?? e.payload.state, e.accountId, e.sessionId, e.route]),
    [
      ['conference', 'created', 'acc-1', CONF, { conferenceId: CONF }],
      ['conference-member', 'active', 'acc-1', CONF, { conferenceId: CONF }],
      ['conference-speak', 'started', 'acc-1', CONF, { conferenceId: CONF }],
      ['conference-speak', 'done', 'acc-1', CONF, { conferenceId: CONF }],
      ['conference-member', 'completed', 'acc-1', CONF, { conferenceId: CONF }],
      ['conference', 'completed', 'acc-1', CONF, { conferenceId: CONF }],
    ],
  );
  assert.equal(events[0]!.payload.conferenceUri, `https://ringside.example.test/v1/users/u-acme01/conferences/${CONF}`);
  for (const e of events) assert.deepEqual(validator.problems(e), []);
  // Without its account and user, the conference session is silent.
  const silent = projector();
  assert.deepEqual(facts.map((f, i) => (i === 0 ? { ...f, application: undefined } : f)).flatMap((f) => silent.apply(f as Fact)), []);
});
