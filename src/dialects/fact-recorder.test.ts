import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '../events/log/sqlite-event-log.js';
import { FactRecorder } from './fact-recorder.js';
import type { FactObserver } from './fact-observer.js';
import { eventId } from './event-id.js';
import { CallScript, phone, sip } from '../../test/support/call-script.js';
import { ECHO_PROJECTION } from '../../test/support/echo-projection.js';

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'events.db');
}

function call(id: string) {
  const s = new CallScript(id);
  s.start({ accountId: 'acc', accountcode: 'acc', kind: 'outbound', callId: '1.1', from: sip('101'), to: phone('+15550001') });
  s.leg('L1', 'caller', sip('101')).leg('L2', 'callee', phone('+15550001')).failed('L2', 'BUSY', 486).ended('L1', 'remote').end(sip('101'));
  return s.facts;
}

test('facts recorded one by one keep their order and get numbered events', async (t) => {
  const log = new SqliteEventLog(setup(t), { projection: ECHO_PROJECTION });
  t.after(() => log.close());
  const rec = new FactRecorder({ events: log });
  const facts = call('s1');
  const all = await Promise.all(facts.map((f) => rec.record(f)));
  assert.deepEqual(all.flat().map((e) => e.payload.i), [0, 1, 2, 3, 4, 5]);
  assert.equal(rec.openSessions, 0, 'state is dropped when the session ends');
});

test('after a restart the projector is rebuilt from the log and ids continue', async (t) => {
  const file = setup(t);
  const facts = call('s2');
  const log1 = new SqliteEventLog(file, { projection: ECHO_PROJECTION });
  const rec1 = new FactRecorder({ events: log1 });
  for (const f of facts.slice(0, 3)) await rec1.record(f);
  await log1.close();
  const log2 = new SqliteEventLog(file, { projection: ECHO_PROJECTION });
  t.after(() => log2.close());
  const rec2 = new FactRecorder({ events: log2 });
  const rest = [];
  for (const f of facts.slice(3)) rest.push(...(await rec2.record(f)));
  assert.deepEqual(rest.map((e) => e.payload.i), [3, 4, 5]);
  assert.equal(rest[0]?.accountId, 'acc', 'state from replayed facts is restored');
  assert.equal(rest[0]?.id, eventId('s2', 'echo', 3));
});

test('facts recorded without waiting are pipelined: one commit for a burst, order and ids kept', async (t) => {
  const log = new SqliteEventLog(setup(t), { projection: ECHO_PROJECTION });
  t.after(() => log.close());
  const rec = new FactRecorder({ events: log });
  const before = log.stats.commits;
  // Waiting for each fact to be durable before the next would take one commit per fact.
  const all = await Promise.all(call('p1').map((f) => rec.record(f)));
  assert.equal(log.stats.commits - before, 1, 'the six facts of the burst shared one commit');
  assert.deepEqual(all.flat().map((e) => e.payload.i), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual((await log.read(0, { sessionId: 'p1' }, 100)).map((e) => e.payload.i), [0, 1, 2, 3, 4, 5]);
});

test('after a restart, facts recorded while the session is being replayed wait for it and keep their order', async (t) => {
  const file = setup(t);
  const facts = call('p2');
  const log1 = new SqliteEventLog(file, { projection: ECHO_PROJECTION });
  const rec1 = new FactRecorder({ events: log1 });
  await Promise.all(facts.slice(0, 2).map((f) => rec1.record(f)));
  await log1.close();
  const log2 = new SqliteEventLog(file, { projection: ECHO_PROJECTION });
  t.after(() => log2.close());
  const rec2 = new FactRecorder({ events: log2 });
  const rest = await Promise.all(facts.slice(2).map((f) => rec2.record(f)));
  assert.deepEqual(rest.map((es) => es.map((e) => e.payload.i)), [[2], [3], [4], [5]]);
  assert.deepEqual((await log2.read(0, { sessionId: 'p2' }, 100)).map((e) => e.payload.i), [0, 1, 2, 3, 4, 5]);
  assert.equal(rec2.openSessions, 0);
});

test('a projection that throws loses neither the fact nor the process', async (t) => {
  const log = new SqliteEventLog(setup(t), { projection: ECHO_PROJECTION });
  t.after(() => log.close());
  const rec = new FactRecorder({ events: log });
  const [start] = call('s3');
  await rec.record(start!);
  const out = await rec.record({ type: 'dtmf', sessionId: 's3', at: 5, legId: 'L1', digit: 'X', durationMs: 100, via: 'rfc4733' });
  assert.deepEqual(out, []);
  assert.deepEqual((await log.sessionFacts('s3')).map((f) => f.type), ['session.started', 'dtmf']);
});

test('facts of different sessions in one call are refused', async (t) => {
  const log = new SqliteEventLog(setup(t), { projection: ECHO_PROJECTION });
  t.after(() => log.close());
  const rec = new FactRecorder({ events: log });
  await assert.rejects(rec.record(call('a')[0]!, call('b')[0]!), /one session/);
});

test('observers get each fact once it is in the log, in order; after a restart the log is replayed to them first', async (t) => {
  const file = setup(t);
  const facts = call('s4');
  const seen: string[] = [];
  const durable: Promise<boolean>[] = [];
  const observer = (log: SqliteEventLog): FactObserver => ({
    open: (sessionId) => ({
      replay: (f) => void seen.push(`replay ${sessionId} ${f.type}`),
      recorded: (f) => {
        seen.push(`recorded ${sessionId} ${f.type}`);
        durable.push(log.sessionFacts(sessionId).then((logged) => logged.some((l) => l.type === f.type && l.at === f.at)));
      },
    }),
  });
  const log1 = new SqliteEventLog(file, { projection: ECHO_PROJECTION });
  const rec1 = new FactRecorder({ events: log1, observers: [observer(log1)] });
  await Promise.all(facts.slice(0, 2).map((f) => rec1.record(f)));
  assert.deepEqual(await Promise.all(durable), [true, true]);
  await log1.close();
  const log2 = new SqliteEventLog(file, { projection: ECHO_PROJECTION });
  t.after(() => log2.close());
  const rec2 = new FactRecorder({ events: log2, observers: [observer(log2)] });
  await rec2.record(...facts.slice(2));
  assert.deepEqual(seen, [
    ...facts.slice(0, 2).map((f) => `recorded s4 ${f.type}`),
    ...facts.slice(0, 2).map((f) => `replay s4 ${f.type}`),
    ...facts.slice(2).map((f) => `recorded s4 ${f.type}`),
  ]);
});

test('an observer that throws fails neither the record nor the other observers', async (t) => {
  const log = new SqliteEventLog(setup(t), { projection: ECHO_PROJECTION });
  t.after(() => log.close());
  const got: string[] = [];
  const bug = (): never => {
    throw new Error('observer bug');
  };
  const broken: FactObserver = { open: () => ({ replay: bug, recorded: bug }) };
  const working: FactObserver = { open: () => ({ replay: () => undefined, recorded: (f) => void got.push(f.type) }) };
  const rec = new FactRecorder({ events: log, observers: [broken, working] });
  const [start] = call('s5');
  assert.equal((await rec.record(start!)).length, 1);
  assert.deepEqual(got, ['session.started']);
});
