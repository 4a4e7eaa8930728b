/**
 * The engine in a child process killed with SIGKILL mid-delivery, then started again: nothing lost, and
 * the only events the receiver sees twice are ones whose acknowledgement had not been committed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { Receiver, sequencesBySession, tempDir, wireEvent } from './support.js';

function run(t: { after(fn: () => unknown): void }, dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/webhooks/engine-runner.ts', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runner did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('running')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`runner exited with ${code}: ${err}`)));
  });
}

test('SIGKILL mid-delivery, restart: every event arrives, only unacknowledged ones twice, order kept', async (t) => {
  const rx = await Receiver.start(t);
  rx.behaviour = () => ({ delayMs: 8 });
  const dir = tempDir(t);
  const sessions = Array.from({ length: 8 }, (_, i) => `k${i}`);
  {
    const store = new SqliteStore(join(dir, 'ringside.db'));
    await store.putWebhook({ id: 'crash', accountId: 'acme', source: 'api', url: rx.url(), dialect: 'teltel', method: 'POST', events: [] });
    await store.close();
    const log = new SqliteEventLog(join(dir, 'events.db'));
    for (let seq = 0; seq < 40; seq++) await log.append({ facts: [], events: sessions.map((s) => wireEvent(s, seq)) });
    await log.close();
  }
  const first = await run(t, dir);
  await rx.waitFor(() => rx.acked.length >= 80, 20_000, '80 acked before the kill');
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const killedAt = rx.requests.length;
  assert.ok(rx.ackedIds().size < 320, `killed mid-delivery (${rx.ackedIds().size} of 320 acknowledged by the receiver)`);

  // What the dead process had committed: events still pending may be resent, acknowledged ones must not.
  const outbox = new SqliteOutbox(join(dir, 'ringside.db'));
  const pendingAtKill = new Set<string>();
  for (let after = 0; ; ) {
    const rows = await outbox.pending('acme', 'crash', after, 1000);
    if (rows.length === 0) break;
    for (const r of rows) pendingAtKill.add(r.eventId);
    after = rows.at(-1)!.id;
  }
  await outbox.close();
  assert.ok(pendingAtKill.size > 0 && pendingAtKill.size <= 320 - 80 + 8, `${pendingAtKill.size} pending at the kill`);

  await run(t, dir);
  await rx.waitFor(() => rx.ackedIds().size === 320, 30_000, 'all 320 events');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const twice = [...new Set(rx.requests.filter((r) => r.seen > 0).map((r) => r.eventId))];
  for (const id of twice) assert.ok(pendingAtKill.has(id), `${id} was resent although its acknowledgement had been committed`);
  // Each session has at most one event sent and not yet acknowledged durably: only those can repeat.
  assert.ok(twice.length <= sessions.length, `at most one resent event per session (${twice.length})`);
  for (const s of sessions) assert.ok(twice.filter((id) => id.startsWith(`${s}-`)).length <= 1, `session ${s}: at most one resend`);
  // Per session, first receipts are in order (a resend repeats the head, it never jumps ahead).
  const firsts = sequencesBySession(rx.requests.filter((r) => r.seen === 0));
  for (const s of sessions) assert.deepEqual(firsts.get(s), Array.from({ length: 40 }, (_, i) => i), `session ${s}`);
  assert.ok(rx.requests.length > killedAt);
});
