/**
 * What only SqliteOutbox does; the WebhookOutbox contract every backend keeps is in outbox-contract.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteOutbox } from './sqlite-outbox.js';
import { outboxRow as row } from './outbox-contract.js';

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-outbox-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'ringside.db');
}

test('writes in one turn share a commit; a failing one does not fail the others', async (t) => {
  const o = new SqliteOutbox(tempFile(t));
  t.after(() => o.close());
  const bad = { ...row('s1', 1), payload: null as unknown as string };
  const results = await Promise.allSettled([o.feed([row('s1', 1)], 1), o.feed([bad], 2), o.feed([row('s1', 3)], 3)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal(await o.feedPosition(), 3);
  assert.equal((await o.pending('acme', 'w1', 0, 10)).length, 2);
});
