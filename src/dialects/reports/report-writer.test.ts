/**
 * The report writer behind the real fact recorder, event log and store: an entry per call session once it
 * ends, none for texts, the same entry for a session that spans a restart, and a failed write logged
 * without failing the facts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SqliteEventLog } from '../../events/log/sqlite-event-log.js';
import type { Fact } from '../../events/model/facts.js';
import { createLogger } from '../../log/logger.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { CallScript, phone, sip } from '../../../test/support/call-script.js';
import { randomSession } from '../../../test/support/random-sessions.js';
import { WRITER_PROJECTION } from '../writer-projection.js';
import { FactRecorder } from '../fact-recorder.js';
import { callRecords } from '../../../test/support/call-records.js';
import { ReportWriter } from './report-writer.js';

function dataDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-reports-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function answeredCall(id: string): Fact[] {
  const s = new CallScript(id);
  s.start({ accountId: 'acc', accountcode: 'acc', kind: 'inbound', callId: `${id}.c`, from: phone('+15557654321'), to: phone('+15550100') });
  s.leg(`${id}.1`, 'caller', phone('+15557654321')).leg(`${id}.2`, 'callee', sip('101', '501')).ringing(`${id}.2`).up(`${id}.2`);
  s.joined(`${id}.1`).joined(`${id}.2`).wait(3000).left(`${id}.2`).left(`${id}.1`).ended(`${id}.2`, 'remote').ended(`${id}.1`, 'local').end(phone('+15557654321'));
  return s.facts;
}

test('a call session gets its entries when it ends; a text session writes none', async (t) => {
  const dir = dataDir(t);
  const log = new SqliteEventLog(join(dir, 'events.db'), { projection: WRITER_PROJECTION });
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await log.close();
    await store.close();
  });
  const writer = new ReportWriter(store);
  const recorder = new FactRecorder({ events: log, observers: [writer] });
  const facts = answeredCall('s1');
  // As the switch does: one record() per fact, without waiting in between.
  await Promise.all(facts.slice(0, -1).map((f) => recorder.record(f)));
  await writer.flush();
  assert.equal(await store.getReportEntry('acc', 's1.c'), undefined, 'no entry before the session ends');
  await recorder.record(facts.at(-1)!);
  const text = Array.from({ length: 50 }, (_, i) => randomSession(i + 1)).find((s) => s[0]?.type.startsWith('message.'))!;
  for (const f of text) await recorder.record(f);
  await writer.flush();
  assert.deepEqual(await store.getReportEntry('acc', 's1.c'), { kind: 'call', call: callRecords(facts)[0] });
  const entries = async (accountId: string) => (await store.listReportEntries(accountId, 0, Number.MAX_SAFE_INTEGER, 10)).map((e) => e.kind);
  assert.deepEqual(await entries('acc'), ['call']);
  assert.deepEqual(await entries(String((text[0] as { accountId: string }).accountId)), []);
  assert.equal(recorder.openSessions, 0);
});

test('a session that spans a restart gets the entry it would have had without one', async (t) => {
  const dir = dataDir(t);
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(() => store.close());
  const facts = answeredCall('s2');
  const log1 = new SqliteEventLog(join(dir, 'events.db'), { projection: WRITER_PROJECTION });
  const rec1 = new FactRecorder({ events: log1, observers: [new ReportWriter(store)] });
  for (const f of facts.slice(0, 6)) await rec1.record(f);
  await log1.close();
  const log2 = new SqliteEventLog(join(dir, 'events.db'), { projection: WRITER_PROJECTION });
  t.after(() => log2.close());
  const writer = new ReportWriter(store);
  const rec2 = new FactRecorder({ events: log2, observers: [writer] });
  for (const f of facts.slice(6)) await rec2.record(f);
  await writer.close();
  const entry = await store.getReportEntry('acc', 's2.c');
  assert.deepEqual(entry, { kind: 'call', call: callRecords(facts)[0] });
  assert.equal(entry?.kind === 'call' && entry.call.disposition, 'answered');
});

test('a failed write is logged with its session; the facts are still recorded and flush resolves', async (t) => {
  const dir = dataDir(t);
  const log = new SqliteEventLog(join(dir, 'events.db'), { projection: WRITER_PROJECTION });
  t.after(() => log.close());
  const lines: Record<string, unknown>[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)));
  // A store that refuses every write: the real one cannot be made to fail on demand.
  const failing = { putCall: () => Promise.reject(new Error('disk full')) };
  const writer = new ReportWriter(failing, createLogger({ level: 'error', destination: out }));
  const recorder = new FactRecorder({ events: log, observers: [writer] });
  const facts = answeredCall('s3');
  for (const f of facts) await recorder.record(f);
  await writer.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal((await log.sessionFacts('s3')).length, facts.length);
  assert.deepEqual(lines.map((l) => [l.msg, l.sessionId, l.callIds]), [['writing the call report failed', 's3', ['s3.c']]]);
});
