import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from './sqlite-event-log.js';
import type { LogEntry, LoggedEvent } from './event-log.js';
import type { Fact } from '../model/facts.js';

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'events.db');
}

const ev = (id: string, extra: Partial<LoggedEvent> = {}): LoggedEvent => ({
  dialect: 'teltel',
  name: 'START',
  id,
  sessionId: 's1',
  accountId: 'acc',
  userIds: [],
  payload: { id },
  ...extra,
});
const started = (sessionId: string): Fact => ({
  type: 'session.started', sessionId, at: 1, accountId: 'acc', accountcode: 'acc', kind: 'inbound', callId: '1.1',
  from: { kind: 'phone', number: '+1' }, to: { kind: 'phone', number: '+2' },
});

test('appends get increasing positions and read back with filters', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  const a = await log.append({ facts: [], events: [ev('e1'), ev('e2', { accountId: 'other', name: 'RING' }), ev('e3', { userIds: ['501'], dialect: 'realtime', name: 'voice.incoming.start' })] });
  assert.deepEqual(a.map((e) => e.position), [1, 2, 3]);
  assert.deepEqual((await log.read(0, { accountId: 'acc' }, 10)).map((e) => e.id), ['e1', 'e3']);
  assert.deepEqual((await log.read(1, {}, 10)).map((e) => e.id), ['e2', 'e3']);
  assert.deepEqual((await log.read(0, { userId: '501' }, 10)).map((e) => e.id), ['e3']);
  assert.deepEqual((await log.read(0, { dialects: ['teltel'], names: ['RING'] }, 10)).map((e) => e.id), ['e2']);
  assert.deepEqual((await log.read(0, {}, 2)).map((e) => e.id), ['e1', 'e2']);
  assert.equal(await log.positionOf('e2'), 2);
  assert.equal(await log.lastPosition(), 3);
});

test('appending the same event id twice is idempotent', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  await log.append({ facts: [], events: [ev('x')] });
  const again = await log.append({ facts: [], events: [ev('x'), ev('y')] });
  assert.deepEqual(again.map((e) => e.id), ['y']);
  assert.equal((await log.read(0, {}, 10)).length, 2);
});

test('appends in the same turn share one commit (group commit)', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  const before = log.stats.commits;
  await Promise.all(Array.from({ length: 200 }, (_, i) => log.append({ facts: [], events: [ev(`g${i}`)] })));
  assert.equal(log.stats.commits - before, 1);
  assert.equal(log.stats.appends, 200);
});

test('facts, sessions and events survive a reopen', async (t) => {
  const file = tempFile(t);
  const log = new SqliteEventLog(file);
  await log.append({ facts: [started('s1'), started('s2'), { type: 'session.ended', sessionId: 's2', at: 9, hangupBy: { kind: 'local', number: 'x' }, cause: 'normal' }], events: [ev('k')] });
  await log.close();
  const again = new SqliteEventLog(file);
  t.after(() => again.close());
  assert.deepEqual(await again.openSessions(), ['s1']);
  assert.deepEqual((await again.sessionFacts('s2')).map((f) => f.type), ['session.started', 'session.ended']);
  assert.equal((await again.read(0, {}, 10))[0]?.payload.id, 'k');
});

test('a subscriber resuming from a cursor gets the backlog then live entries, in order, once each', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  for (let i = 0; i < 1200; i++) await log.append({ facts: [], events: [ev(`b${i}`)] }).then(() => undefined);
  const got: LogEntry[] = [];
  let live = false;
  const sub = log.subscribe({ filter: { accountId: 'acc' }, after: 100, onEntry: (e) => got.push(e), onLive: () => (live = true) });
  // Appends that race the catch-up must neither be lost nor duplicated.
  const racing = Array.from({ length: 50 }, (_, i) => log.append({ facts: [], events: [ev(`r${i}`)] }));
  await Promise.all(racing);
  while (!live) await new Promise((r) => setImmediate(r));
  await log.append({ facts: [], events: [ev('last')] });
  sub.close();
  await log.append({ facts: [], events: [ev('after-close')] });
  const positions = got.map((e) => e.position);
  assert.equal(positions[0], 101);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  assert.equal(new Set(positions).size, positions.length);
  assert.equal(got.length, 1200 - 100 + 50 + 1);
  assert.equal(got.at(-1)?.id, 'last');
});

test('a live-only subscriber sees only new matching entries; a throwing subscriber harms nobody', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  await log.append({ facts: [], events: [ev('old')] });
  const got: string[] = [];
  log.subscribe({ filter: {}, onEntry: () => { throw new Error('boom'); } });
  log.subscribe({ filter: { userId: '7' }, onEntry: (e) => got.push(e.id) });
  await log.append({ facts: [], events: [ev('n1', { userIds: ['7'] }), ev('n2')] });
  assert.deepEqual(got, ['n1']);
});

test('a batch that cannot be written fails alone: the others of its transaction are written', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  const bad: Fact = { ...started('sb'), sessionId: null as unknown as string }; // facts.session_id is NOT NULL
  const [a, b, c] = await Promise.allSettled([log.append({ facts: [], events: [ev('b1')] }), log.append({ facts: [bad], events: [ev('b2')] }), log.append({ facts: [], events: [ev('b3')] })]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.match(String((b as PromiseRejectedResult).reason), /NOT NULL/);
  assert.equal(c.status, 'fulfilled');
  assert.deepEqual((await log.read(0, {}, 10)).map((e) => e.id), ['b1', 'b3'], "the failed batch's event went with it");
});

test('append after close is refused with a named error', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  await log.close();
  await assert.rejects(log.append({ facts: [], events: [ev('z')] }), { name: 'LogClosedError' });
});

test('nothing is visible before its fsync: readers and cursors wait for durability; fsyncs coalesce', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  const pending = log.append({ facts: [], events: [ev('d1')] });
  // Let the commit happen (setImmediate) while its fsync is still on the thread pool.
  await new Promise((resolve) => setImmediate(resolve));
  const seenEarly = await log.read(0, {}, 10);
  const fsyncsEarly = log.stats.fsyncs;
  const entries = await pending;
  assert.equal(entries[0]?.position, 1);
  assert.ok(seenEarly.length === 0 || fsyncsEarly >= 1, 'a reader saw an entry before it was fsynced');
  assert.deepEqual((await log.read(0, {}, 10)).map((e) => e.id), ['d1']);
  // Many appends over many turns: group commits, and fsyncs never more than commits.
  await Promise.all(Array.from({ length: 200 }, (_, i) => new Promise((r) => setTimeout(r, i % 7)).then(() => log.append({ facts: [], events: [ev(`m${i}`)] }))));
  const { commits, fsyncs } = log.stats;
  assert.ok(fsyncs >= 1 && fsyncs <= commits, `${fsyncs} fsyncs for ${commits} commits`);
  assert.equal(await log.lastPosition(), 201);
});

test('synchronous NORMAL appends without fsync', async (t) => {
  const log = new SqliteEventLog(tempFile(t), { synchronous: 'NORMAL' });
  t.after(() => log.close());
  await log.append({ facts: [], events: [ev('n1')] });
  assert.equal(log.stats.fsyncs, 0);
  assert.equal(await log.lastPosition(), 1);
});
