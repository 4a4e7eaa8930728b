/**
 * A transcription that finishes after its call's session ended (facts.ts header: `afterEnd`): through
 * every dialect's projection as the log runs it, the session is reopened from its history, the voice API
 * alone reports the `transcription`, routed to the recorded call, with the next event id; the session
 * closes again at once. The session checker accepts exactly this one late fact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallScript, phone } from '../../../test/support/call-script.js';
import { sessionProblems } from '../../../test/support/session-checker.js';
import type { Fact } from '../../events/model/facts.js';
import { allDialects } from '../all-dialects.js';
import { DialectProjection } from '../dialect-projection.js';
import { eventId } from '../event-id.js';

const A = 'c-late1';

function endedCall(): CallScript {
  const s = new CallScript('s-late', Date.UTC(2026, 11, 7, 10, 0, 0), 0);
  s.start({ accountId: 'acc-1', accountcode: 'demo', callId: '1.1', kind: 'application', from: phone('+14045550111'), to: phone('+19195550100'), application: { id: 'a-1', userId: 'u-1' } });
  s.leg(A, 'caller', phone('+14045550111'), { direction: 'in' }).answered(A).media(A);
  s.now += 30_000;
  s.ended(A, 'remote');
  s.push({ type: 'recording.finished', recordingId: 'rec-1', legId: A, url: 'http://x/rec-1.wav', startedAt: s.now - 30_000, status: 'complete', purpose: 'call' });
  s.end(phone('+14045550111'), 'normal', A);
  return s;
}

test('a late transcription.finished: only the voice API reports it, to the recorded call, and the session closes again', () => {
  const s = endedCall();
  const projection = new DialectProjection(allDialects, { publicUrl: 'https://ringside.test' });
  const during = projection.project(s.facts, () => []);
  assert.equal(projection.openSessions, 0);
  const bandwidthBefore = during.events.filter((e) => e.dialect === 'bandwidth');
  assert.deepEqual(bandwidthBefore.map((e) => e.name), ['incomingcall', 'answer', 'hangup', 'recording']);

  const late: Fact = { type: 'transcription.finished', sessionId: 's-late', at: s.now + 9000, transcriptionId: 'tr-1', recordingId: 'rec-1', legId: A, status: 'completed', text: 'call me back', afterEnd: true };
  const out = projection.project([late], (id) => (id === 's-late' ? s.facts : []));
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.events.map((e) => [e.dialect, e.name]), [['bandwidth', 'transcription']]);
  const e = out.events[0]!;
  assert.deepEqual(e.route, { callId: A, applicationId: 'a-1' });
  assert.equal(e.id, eventId('s-late', 'bandwidth', bandwidthBefore.length), 'ids go on where the session left them');
  assert.equal(e.payload.textUrl, 'https://ringside.test/v1/users/u-1/media/tr-1');
  assert.equal(projection.openSessions, 0, 'closed again at once');

  // A failed one: only the ids and the state (spec bandwidth §2.12).
  const failed = projection.project([{ ...late, transcriptionId: 'tr-2', status: 'error', text: undefined } as Fact], () => [...s.facts, late]);
  assert.deepEqual(failed.events.map((x) => x.payload), [{ eventType: 'transcription', transcriptionId: 'tr-2', recordingId: 'rec-1', state: 'error', status: 'error' }]);
});

test('the session checker takes a late transcription only with afterEnd', () => {
  const s = endedCall();
  const base = { type: 'transcription.finished', sessionId: 's-late', at: s.now + 1, transcriptionId: 'tr-1', recordingId: 'rec-1', status: 'completed', text: 'x' } as const;
  assert.deepEqual(sessionProblems([...s.facts, { ...base, afterEnd: true }]), []);
  assert.deepEqual(sessionProblems([...s.facts, base]), ['#7 transcription.finished after session.ended']);
});

test('without afterEnd a fact after session.ended stays ignored (the projection never reopens a session for it)', () => {
  const s = endedCall();
  const projection = new DialectProjection(allDialects, { publicUrl: 'https://ringside.test' });
  projection.project(s.facts, () => []);
  const stray: Fact = { type: 'transcription.finished', sessionId: 's-late', at: s.now + 1, transcriptionId: 'tr-9', recordingId: 'rec-1', status: 'completed', text: 'x' };
  assert.deepEqual(projection.project([stray], () => s.facts).events, []);
});
