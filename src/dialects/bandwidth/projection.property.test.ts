/**
 * Property tests over random valid sessions of every kind (test/support/random-sessions.ts): schema
 * validity, determinism (ids included) and the stream invariants of invariants.ts. Sessions without a
 * voice-API application are silent; each session is also projected with an application attached, so
 * ring-all, confirm, agent PIN, forward, voicemail, originate and dialer fact shapes reach the projection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbitrarySession } from '../../../test/support/random-sessions.js';
import type { Fact } from '../../events/model/facts.js';
import type { WireEvent } from '../dialect.js';
import { eventId } from '../event-id.js';
import { WireSchemaValidator } from '../schema-validator.js';
import { bandwidthDialect, bandwidthSchemas } from './index.js';
import { bandwidthInvariantProblems } from './invariants.js';

const validator = new WireSchemaValidator(bandwidthSchemas);
const options = { publicUrl: 'https://ringside.example.test' };
const APP = { id: 'a-prop', userId: 'u-prop' };

function project(facts: readonly Fact[]): WireEvent[] {
  const projector = bandwidthDialect.createProjector(options);
  return facts.flatMap((f) => projector.apply(f));
}

/** The same session driven by a voice-API application (texts too). */
function withApplication(facts: readonly Fact[]): Fact[] {
  return facts.map((f) =>
    (f.type === 'session.started' || f.type === 'message.received' || f.type === 'message.sent') && !f.application ? { ...f, application: APP } : f,
  );
}

function hasApplication(facts: readonly Fact[]): boolean {
  const first = facts[0];
  return first !== undefined && 'application' in first && first.application !== undefined;
}

/** Everything a complete stream of one session must satisfy. */
function check(facts: readonly Fact[]): void {
  const events = project(facts);
  for (const e of events) assert.deepEqual(validator.problems(e), [], JSON.stringify(e.payload));
  // Deterministic: a second projection of the same facts gives identical events, ids included.
  assert.deepEqual(project(facts), events);
  const sessionId = facts[0]!.sessionId;
  assert.deepEqual(
    events.map((e) => e.id),
    events.map((_, i) => eventId(sessionId, 'bandwidth', i)),
  );
  assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  assert.deepEqual(bandwidthInvariantProblems(events, { complete: true }), []);
  const first = facts[0]!;
  const application = first.type !== 'conference.created' && 'application' in first ? first.application : undefined;
  if (!application) {
    assert.deepEqual(events, []);
    return;
  }
  // Exactly one hangup per call: every leg of the session is a call with its hangup.
  const legs = facts.flatMap((f) => (f.type === 'leg.created' ? [f.legId] : []));
  const hangups = events.filter((e) => e.name === 'hangup').map((e) => e.route?.callId);
  assert.deepEqual(hangups.slice().sort(), legs.slice().sort());
  for (const e of events) {
    assert.equal(e.route?.applicationId, application.id);
    assert.deepEqual(e.userIds, []);
  }
}

test('random sessions: valid, deterministic, invariant-preserving callbacks', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      check(facts);
      check(withApplication(facts));
    }),
    { numRuns: 3000 },
  );
});

test('random sessions without an application produce nothing in this dialect', () => {
  fc.assert(
    fc.property(arbitrarySession(), (facts) => {
      if (!hasApplication(facts)) assert.deepEqual(project(facts), []);
    }),
    { numRuns: 3000 },
  );
});

test('facts dropped, repeated or reordered never throw and keep every emitted event valid and ordered', () => {
  fc.assert(
    fc.property(arbitrarySession(), fc.array(fc.nat(), { maxLength: 40 }), (session, picks) => {
      const facts = withApplication(session);
      // The session start first, then a random selection of the session's facts, possibly repeated.
      const mangled = [facts[0]!, ...picks.map((p) => facts[p % facts.length]!)];
      const events = project(mangled);
      for (const e of events) assert.deepEqual(validator.problems(e), [], JSON.stringify(e.payload));
      assert.deepEqual(bandwidthInvariantProblems(events, { complete: false }), []);
    }),
    { numRuns: 3000 },
  );
});
