/**
 * Property tests over random valid sessions of every kind (test/support/random-sessions.ts): schema validity,
 * determinism, the invariants of spec teltel §6 (invariants.ts) and the decisions on direction/type/phase,
 * plus robustness against facts out of order, duplicated, dropped or malformed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbitrarySession } from '../../../test/support/random-sessions.js';
import type { Fact, SessionStarted } from '../../events/model/facts.js';
import type { WireEvent } from '../dialect.js';
import { teltelProblems } from './invariants.js';
import { projectAll, validator } from '../../../test/support/teltel-projection-check.js';

const RUNS = { numRuns: 3000 };

function schemaProblems(events: readonly WireEvent[]): string[] {
  return events.flatMap((e) => validator.problems(e));
}

test('every event of every random session validates against its schema', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      assert.deepEqual(schemaProblems(projectAll(facts)), []);
    }),
    RUNS,
  );
});

test('projection is deterministic: replaying the facts gives identical events, ids included; ids are unique', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      const a = projectAll(facts);
      const b = projectAll(structuredClone(facts));
      assert.deepEqual(a, b);
      assert.equal(new Set(a.map((e) => e.id)).size, a.length);
    }),
    RUNS,
  );
});

test('spec teltel §6 invariants hold on every random call session; texts produce nothing', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      const events = projectAll(facts);
      if (facts[0]?.type !== 'session.started') {
        assert.deepEqual(events, []);
        return;
      }
      assert.ok(events.length >= 2);
      assert.deepEqual(teltelProblems(events), []);
    }),
    RUNS,
  );
});

/** Phase initiator per session kind (decisions: inbound did, outbound/internal sip, originate/dialer local). */
function initiator(s: SessionStarted, firstLegIn: boolean): string {
  if (s.kind === 'inbound') return 'did';
  if (s.kind === 'outbound' || s.kind === 'internal') return 'sip';
  if (s.kind === 'application') return firstLegIn ? 'did' : 'local';
  return 'local';
}

test('session attributes follow the canonical facts: direction, type, subtype, call_id, phase, RINGs, answered, audio, users', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      const s = facts[0];
      if (s?.type !== 'session.started') return;
      const events = projectAll(facts);
      const legs = facts.filter((f) => f.type === 'leg.created');
      const firstLegIn = legs[0]?.direction === 'in';
      const direction = s.kind === 'inbound' || (s.kind === 'application' && firstLegIn) ? 'inbound' : 'outbound';
      const type = s.transferOf ? 'transfer' : s.kind === 'originate' ? 'callback' : s.kind === 'dialer' ? 'autodialer' : 'standard';
      const dialled = new Set(legs.filter((l) => l.direction === 'out' && l.party.kind !== 'local').map((l) => l.legId));
      const answered = facts.some((f) => f.type === 'leg.answered' && dialled.has(f.legId));
      const recording = facts.find((f) => f.type === 'recording.finished' && f.purpose === 'call' && f.status === 'complete');
      const completed = events.at(-1)!.payload;
      for (const e of events) {
        const p = e.payload;
        assert.equal(p.direction, direction);
        assert.equal(p.type, type);
        assert.equal(p.subtype, type === 'autodialer' ? s.dialer?.mode : undefined);
        assert.equal(p.call_id, s.callId);
        assert.equal(p.accountcode, s.accountcode);
        assert.equal(p.session_id, s.sessionId);
        assert.ok(String(p.phase).startsWith(`${initiator(s, firstLegIn)}to`), `${e.name} phase ${String(p.phase)}`);
        if (s.kind === 'internal') assert.equal(p.phase, 'siptosip');
        // WireEvent.userIds: everyone involved so far, starting with the session's users.
        for (const u of [...(s.userIds ?? []), ...(s.user ? [s.user.id] : [])]) assert.ok(e.userIds.includes(u));
        assert.equal(e.accountId, s.accountId);
        assert.equal(e.route, undefined);
      }
      assert.equal(events.filter((e) => e.name === 'RING').length, dialled.size);
      assert.equal(events.filter((e) => e.name === 'RINGRESULT').length, dialled.size);
      assert.equal(completed.is_answered, answered);
      assert.equal(completed.audio_url, answered && recording?.type === 'recording.finished' ? recording.url : undefined);
      const end = facts.at(-1)!;
      if (end.type === 'session.ended') {
        assert.equal(completed.hanged_by, end.hangupBy.kind);
        assert.equal(completed.hanged_value, end.hangupBy.number);
      }
    }),
    RUNS,
  );
});

/** A valid session, then mangled: facts dropped, duplicated, swapped, or replaced by junk. */
const mangledSession = fc
  .tuple(arbitrarySession(), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('drop', 'dup', 'swap', 'junk', 'nan')), { maxLength: 6 }), fc.anything())
  .map(([facts, edits, junk]) => {
    const out: unknown[] = [...facts];
    for (const [i, j, op] of edits) {
      if (out.length === 0) break;
      const a = i % out.length;
      const b = j % out.length;
      if (op === 'drop') out.splice(a, 1);
      else if (op === 'dup') out.splice(b, 0, out[a]);
      else if (op === 'swap') [out[a], out[b]] = [out[b], out[a]];
      else if (op === 'junk') out.splice(a, 0, junk);
      else out[a] = { ...(out[a] as object), at: Number.NaN };
    }
    return out as Fact[];
  });

test('facts out of order, duplicated, dropped or malformed never throw and never produce an invalid payload', () => {
  fc.assert(
    fc.property(mangledSession, (facts) => {
      const events = projectAll(facts);
      assert.deepEqual(schemaProblems(events), []);
      assert.equal(new Set(events.map((e) => e.id)).size, events.length);
      const done = events.findIndex((e) => e.name === 'COMPLETED');
      if (done >= 0) assert.equal(done, events.length - 1, 'nothing follows COMPLETED');
      if (events.length > 0) assert.equal(events[0]!.name, 'START');
      let last = '';
      for (const e of events) {
        assert.ok((e.payload.participants as number) >= 0);
        assert.ok(String(e.payload.timestamp) >= last);
        last = String(e.payload.timestamp);
      }
    }),
    RUNS,
  );
});
