import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '../events/log/sqlite-event-log.js';
import type { Fact } from '../events/model/facts.js';
import { eventId } from './event-id.js';
import { DialectProjection } from './dialect-projection.js';
import { ECHO_PROJECTION, echo } from '../../test/support/echo-projection.js';

const started = (sessionId: string): Fact => ({
  type: 'session.started', sessionId, at: 1, accountId: 'acc', accountcode: 'acc', kind: 'inbound', callId: '1.1',
  from: { kind: 'phone', number: '+1' }, to: { kind: 'phone', number: '+2' },
});
const dtmf = (sessionId: string, digit: string): Fact => ({ type: 'dtmf', sessionId, at: 2, legId: 'L1', digit, durationMs: 100, via: 'rfc4733' });

test('the log projects on its writer thread: given events first, then the facts\' own; entries carry the logged JSON text', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-proj-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = new SqliteEventLog(join(dir, 'events.db'), { projection: ECHO_PROJECTION });
  t.after(() => log.close());
  log.configureProjection({ publicUrl: 'http://ringside.test' });
  const given = { dialect: 'teltel', name: 'START', id: 'given', sessionId: 'p1', accountId: 'acc', userIds: [], payload: { id: 'given' } };
  const entries = await log.append({ facts: [started('p1')], events: [given] });
  assert.deepEqual(entries.map((e) => e.id), ['given', eventId('p1', 'echo', 0)]);
  const projected = entries[1]!;
  assert.equal(projected.payloadJson, '{"i":0,"type":"session.started","url":"http://ringside.test"}');
  assert.deepEqual(projected.payload, { i: 0, type: 'session.started', url: 'http://ringside.test' });
  const [read] = await log.read(projected.position - 1, {}, 1);
  assert.equal(read!.payloadJson, projected.payloadJson, 'the same text is read back');
  assert.deepEqual({ ...read! }, { ...projected }, 'and the same entry');
});

test('a session without state is rebuilt from its history; a projector that throws is reported and the others go on', () => {
  const p = new DialectProjection([echo, echo]);
  const history = [started('s1'), dtmf('s1', '1')];
  const out = p.project([dtmf('s1', 'X'), dtmf('s1', '2')], (id) => (id === 's1' ? history : []));
  // Both projectors replayed two facts (numbered 0 and 1), threw on X (reported twice), then numbered the next fact 2.
  assert.deepEqual(out.errors.map((e) => [e.sessionId, e.fact, e.message]), [['s1', 'dtmf', 'projection bug'], ['s1', 'dtmf', 'projection bug']]);
  assert.deepEqual(out.events.map((e) => e.payload.i), [2, 2]);
  assert.equal(p.openSessions, 1);
  p.project([{ type: 'session.ended', sessionId: 's1', at: 3, hangupBy: { kind: 'phone', number: '+1' }, cause: 'normal' }], () => []);
  assert.equal(p.openSessions, 0, 'state goes at the session\'s end');
});
