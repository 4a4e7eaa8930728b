/**
 * The closing of a session cut by a restart (src/switch/session-recovery.ts), over random sessions cut at
 * every point: the closed session respects the fact order (session-checker.ts), every dialect's events
 * validate, and each dialect ends it exactly once (teltel COMPLETED, realtime `*.end` per call, bandwidth
 * `hangup` per call). Here rather than beside the module: it needs the dialects, which sit above the switch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbitrarySession } from '../support/random-sessions.js';
import { sessionProblems } from '../support/session-checker.js';
import type { Fact } from '../../src/events/model/facts.js';
import { allDialects } from '../../src/dialects/all-dialects.js';
import { WireSchemaValidator } from '../../src/dialects/schema-validator.js';
import { realtimeSchemas } from '../../src/dialects/realtime/schemas.js';
import { teltelSchemas } from '../../src/dialects/teltel/schemas.js';
import { bandwidthSchemas } from '../../src/dialects/bandwidth/schemas.js';
import { teltelProblems } from '../../src/dialects/teltel/invariants.js';
import { bandwidthInvariantProblems } from '../../src/dialects/bandwidth/invariants.js';
import type { WireEvent } from '../../src/dialects/dialect.js';
import { sessionClosing } from '../../src/switch/session-recovery.js';

const validators: Record<string, WireSchemaValidator> = { realtime: new WireSchemaValidator(realtimeSchemas), teltel: new WireSchemaValidator(teltelSchemas), bandwidth: new WireSchemaValidator(bandwidthSchemas) };

function project(facts: readonly Fact[]): Map<string, WireEvent[]> {
  const out = new Map<string, WireEvent[]>();
  for (const d of allDialects) {
    const p = d.createProjector({ publicUrl: 'http://ringside.test' });
    out.set(d.name, facts.flatMap((f) => p.apply(f)));
  }
  return out;
}

test('a call session cut anywhere and closed is a valid session, ended once in every dialect', () => {
  fc.assert(
    fc.property(arbitrarySession(), fc.double({ min: 0, max: 1, noNaN: true }), (whole, where) => {
      if (whole[0]?.type !== 'session.started') return;
      // Never the whole session: its last fact is `session.ended`.
      const cut = whole.slice(0, Math.min(whole.length - 1, 1 + Math.floor(where * (whole.length - 1))));
      const closing = sessionClosing(cut, whole[0].at + 1);
      assert.ok(closing, 'an open session needs closing');
      const facts = [...cut, ...closing.facts];
      assert.deepEqual(sessionProblems(facts), []);
      const end = facts.at(-1)!;
      assert.equal(end.type, 'session.ended');
      assert.equal(end.type === 'session.ended' && end.cause, 'server-restart');
      const events = project(facts);
      for (const [dialect, list] of events) for (const e of list) assert.deepEqual(validators[dialect]!.problems(e), [], `${dialect} ${e.name}`);
      const teltel = events.get('teltel')!;
      assert.deepEqual(teltelProblems(teltel), []);
      assert.equal(teltel.filter((e) => e.name === 'COMPLETED').length, 1);
      assert.equal(teltel.at(-1)!.payload.hanged_by, 'local');
      const realtime = events.get('realtime')!;
      const starts = new Set(realtime.filter((e) => e.name.endsWith('.start')).map((e) => String(e.payload.uniqueId)));
      const ends = realtime.filter((e) => e.name.endsWith('.end')).map((e) => String(e.payload.uniqueId));
      assert.deepEqual([...new Set(ends)].sort(), [...starts].sort(), 'one end per started call');
      assert.equal(ends.length, starts.size, 'never two ends for a call');
      if (whole[0].application) assert.deepEqual(bandwidthInvariantProblems(events.get('bandwidth')!, { complete: true }), []);
    }),
    { numRuns: 1500 },
  );
});
