// What only the SQLite log has: group commit and fsync. The contract every log keeps is event-log-contract.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from './sqlite-event-log.js';
import { ev } from './event-log-contract.js';

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'events.db');
}

test('appends in the same turn share one commit (group commit)', async (t) => {
  const log = new SqliteEventLog(tempFile(t));
  t.after(() => log.close());
  const before = log.stats.commits;
  await Promise.all(Array.from({ length: 200 }, (_, i) => log.append({ facts: [], events: [ev(`g${i}`)] })));
  assert.equal(log.stats.commits - before, 1);
  assert.equal(log.stats.appends, 200);
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
