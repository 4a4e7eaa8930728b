import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogSubjects, decodeToken, encodeToken } from './nats-subjects.js';

test('ids become subject-safe tokens and come back unchanged', () => {
  for (const s of ['', 'abc', '1715678467.1842', 'a b', '*', '>', 'x.*.>', '=3D', 'é✓', 'ünïcode.and spaces\t', 'f4b3c0de-1c2d-5e6f-8a9b-0c1d2e3f4a5b']) {
    const t = encodeToken(s);
    assert.match(t, /^[A-Za-z0-9_=-]+$/, `token for ${JSON.stringify(s)}`);
    assert.equal(decodeToken(t), s);
  }
  assert.equal(encodeToken('f4b3c0de-1c2d-5e6f-8a9b-0c1d2e3f4a5b'), 'f4b3c0de-1c2d-5e6f-8a9b-0c1d2e3f4a5b', 'UUIDs stay readable');
  assert.equal(encodeToken('1715678467.1842'), '1715678467=2E1842');
  assert.notEqual(encodeToken('a.b'), encodeToken('a=2Eb'), 'no two ids share a token');
});

test('events follow the dotted topic names; facts and markers use three tokens so the two streams never overlap', () => {
  const n = new LogSubjects('RINGSIDE', 'ringside');
  assert.equal(n.event('acc', 'realtime', '1.2', 'voice.incoming.start'), 'ringside.acc.realtime.1=2E2.voice=2Eincoming=2Estart');
  assert.equal(n.eventFilter({ accountId: 'acc', dialects: ['teltel'] }), 'ringside.acc.teltel.*.*');
  assert.equal(n.eventFilter({ dialects: ['teltel', 'realtime'], names: ['START'] }), 'ringside.*.*.*.START');
  assert.equal(n.eventFilter({ dialects: ['a', 'b'] }), undefined, 'every event: no filter at all');
  assert.equal(n.fact('s 1'), 'ringside.fact.s=201');
  assert.deepEqual([n.eventsStream, n.factsStream, n.idBucket], ['RINGSIDE_EVENTS', 'RINGSIDE_FACTS', 'RINGSIDE_IDS']);
  assert.equal(n.sessionOf(n.ended('a.b')), 'a.b');
  assert.throws(() => new LogSubjects('bad name', 'x'));
  assert.throws(() => new LogSubjects('OK', 'bad.*'));
});
