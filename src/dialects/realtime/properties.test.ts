/**
 * Property tests over random valid sessions of every kind (test/support/random-sessions.ts): schema
 * validity, determinism, unique ids, and the realtime invariants of the call model (spec realtime §3.4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbitrarySession } from '../../../test/support/random-sessions.js';
import type { Fact, SessionKind } from '../../events/model/facts.js';
import type { WireEvent } from '../dialect.js';
import { WireSchemaValidator } from '../schema-validator.js';
import { CALL_KINDS, type CallKind } from './event-names.js';
import { realtimeDialect, realtimeSchemas } from './index.js';

const RUNS = { numRuns: 3000 };
const validator = new WireSchemaValidator(realtimeSchemas);

function project(facts: readonly Fact[]): WireEvent[] {
  const projector = realtimeDialect.createProjector({ publicUrl: 'http://127.0.0.1:8080' });
  return facts.flatMap((f) => projector.apply(f));
}

/** The calls each session kind may show (brief decisions; spec realtime §3.2). */
const KINDS_OF_SESSION: Record<SessionKind, readonly CallKind[]> = {
  inbound: ['incoming'],
  outbound: ['outgoing'],
  internal: ['internal'],
  originate: ['originate', 'outgoing'],
  dialer: ['outgoing'],
  application: ['incoming', 'outgoing'],
};

/** Every way a session's realtime stream breaks the call model; empty when it keeps it. */
function realtimeProblems(facts: readonly Fact[], events: readonly WireEvent[]): string[] {
  const problems: string[] = [];
  const first = facts[0];
  const voice = events.filter((e) => e.payload.category === 'voice');
  if (!first || first.type !== 'session.started') {
    if (voice.length > 0) problems.push('voice events in a messaging session');
    const texts = facts.filter((f) => f.type === 'message.received' || f.type === 'message.sent').length;
    const optOuts = facts.filter((f) => f.type === 'number.opted-out').length;
    if (events.length !== texts + optOuts) problems.push(`${events.length} events for ${texts} texts and ${optOuts} opt-outs`);
    return problems;
  }
  const sessionKind = first.kind;
  if (voice.length !== events.length) problems.push('messaging events in a call session');
  if (voice.length === 0) return ['no events for a call session'];
  // One trackingId for every leg of the call (spec realtime §3.4).
  for (const e of voice) if (e.payload.trackingId !== first.sessionId) problems.push(`${e.name}: trackingId ${String(e.payload.trackingId)}`);

  const at = (name: string) => voice.flatMap((e, i) => (e.name === name ? [i] : []));
  let kindsSeen = 0;
  for (const kind of CALL_KINDS) {
    const starts = at(`voice.${kind}.start`);
    const answers = at(`voice.${kind}.answer`);
    const ends = at(`voice.${kind}.end`);
    if (starts.length + answers.length + ends.length === 0) continue;
    kindsSeen++;
    if (!KINDS_OF_SESSION[sessionKind].includes(kind)) problems.push(`${kind} call in a ${sessionKind} session`);
    if (starts.length !== 1) problems.push(`${kind}: ${starts.length} starts`);
    if (ends.length !== 1) problems.push(`${kind}: ${ends.length} ends`);
    if (answers.length > 1) problems.push(`${kind}: ${answers.length} answers`);
    const [s, a, e] = [starts[0] ?? -1, answers[0], ends[0] ?? -1];
    if (!(s < e)) problems.push(`${kind}: end before start`);
    if (a !== undefined && !(s < a && a < e)) problems.push(`${kind}: answer outside start…end`);
    const end = voice[e]?.payload;
    if (end) {
      if (end.isMissedCall !== (a === undefined)) problems.push(`${kind}: isMissedCall ${String(end.isMissedCall)} with ${answers.length} answers`);
      if ((end.disposition === 'answered') !== (a !== undefined)) problems.push(`${kind}: disposition ${String(end.disposition)}`);
      if ((end.answerTimestamp !== undefined) !== (a !== undefined)) problems.push(`${kind}: answerTimestamp without answer`);
      if (Number(end.billableSeconds) > Number(end.duration)) problems.push(`${kind}: billable > duration`);
      const start = voice[s]?.payload;
      if (start?.uniqueId !== end.uniqueId) problems.push(`${kind}: uniqueId changes`);
    }
  }
  if (kindsSeen === 0) problems.push('no call');
  if (sessionKind === 'originate') {
    if (at('voice.originate.start')[0] !== 0) problems.push('originate.start is not first');
    if (voice[voice.length - 1]!.name !== 'voice.originate.end') problems.push('originate.end is not last');
    const calleeStart = at('voice.outgoing.start')[0];
    if (calleeStart !== undefined && !(at('voice.originate.answer')[0]! < calleeStart)) problems.push('callee dialled before the caller answered');
  }

  // Call confirmation: an outcome only after a start for the same leg, at most one per leg (spec realtime §3.2).
  const prompted = new Set<string>();
  const decided = new Set<string>();
  for (const e of voice) {
    const legId = String(e.payload.legId);
    if (e.name === 'voice.callconfirm.start') {
      if (prompted.has(legId)) problems.push(`callconfirm.start twice for ${legId}`);
      prompted.add(legId);
    } else if (e.name === 'voice.callconfirm.acceptcall' || e.name === 'voice.callconfirm.rejectcall') {
      if (!prompted.has(legId)) problems.push(`${e.name} without a start for ${legId}`);
      if (decided.has(legId)) problems.push(`second outcome for ${legId}`);
      decided.add(legId);
    }
  }
  return problems;
}

test('every event of every random session validates against its schema', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      for (const e of project(facts)) {
        assert.deepEqual(validator.problems(e), [], JSON.stringify(e.payload));
        // Delivered frames carry the stream type and still validate (spec realtime §2.3).
        assert.deepEqual(validator.problems({ name: e.name, payload: { ...e.payload, type: 'accountevent' } }), []);
      }
    }),
    RUNS,
  );
});

test('projection is deterministic: projecting twice gives identical events, ids included, and ids are unique', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      const a = project(facts);
      const b = project(facts);
      assert.deepEqual(a, b);
      assert.equal(new Set(a.map((e) => e.id)).size, a.length);
    }),
    RUNS,
  );
});

test('start before answer before end, once each per call; originate.end last; one trackingId; isMissedCall iff unanswered; confirm outcomes follow their start', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      assert.deepEqual(realtimeProblems(facts, project(facts)), []);
    }),
    RUNS,
  );
});

test('streams and times: the event user is in the audience, times never go backwards, envelope matches the name', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      let last = '';
      for (const e of project(facts)) {
        const p = e.payload;
        assert.equal(`${String(p.category)}.${String(p.subCategory)}.${String(p.eventName)}`, e.name);
        assert.equal(e.accountId, p.accountId);
        assert.equal(e.sessionId, facts[0]!.sessionId);
        if (p.userId !== undefined) assert.ok(e.userIds.includes(String(p.userId)), `${e.name}: ${String(p.userId)} not in ${e.userIds.join()}`);
        if (e.name === 'messaging.update.opt-out') assert.deepEqual(e.userIds, []);
        const ts = String(p.eventTimestamp);
        assert.ok(ts >= last, `${e.name} at ${ts} after ${last}`);
        last = ts;
      }
    }),
    RUNS,
  );
});

test('the invariant checker itself notices a broken stream', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      const events = project(facts);
      if (facts[0]?.type !== 'session.started') return;
      // Dropping the last event loses an end (or, for originate, puts another event last).
      assert.notDeepEqual(realtimeProblems(facts, events.slice(0, -1)), []);
      // Replaying the stream twice duplicates every start.
      assert.notDeepEqual(realtimeProblems(facts, [...events, ...events]), []);
    }),
    { numRuns: 300 },
  );
});
