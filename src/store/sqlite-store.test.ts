/**
 * What only the SQLite store does: its in-memory read cache. Everything the Store interface promises is in
 * the contract suite (store-contract.ts), run on every backend by store-contract.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import { loadConfigFile, parseConfig } from '../config/load-config.js';
import { call } from './store-contract.js';
import type { CallRecord } from './store.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lookups are served from memory and follow every write: a reload, a binding saved or removed', async (t) => {
  const store = new SqliteStore(join(tempDir(t), 'ringside.db'));
  t.after(() => store.close());
  await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  const alice = await store.findUserByEmail('alice@demo.test');
  assert.equal(await store.findUserByEmail('alice@demo.test'), alice, 'the second lookup is the cached record');
  assert.throws(() => ((alice as { name: string }).name = 'Mallory'), TypeError, 'a shared record cannot be changed by one reader');
  await store.replaceProvisioning(parseConfig(`accounts:\n  - id: demo\n    name: Demo\n    users: [{ id: 501, name: Alicia, email: alice@demo.test, password: alice-pass, pin: "1101" }]\n`));
  assert.equal((await store.findUserByEmail('alice@demo.test'))?.name, 'Alicia', 'a reload is seen at once');
  assert.equal(await store.findNumber('+15550101'), undefined);

  const b = { userId: '501', aor: 'sip:101@ringside', contact: 'sip:101@192.0.2.10:5062', source: { protocol: 'udp' as const, host: '127.0.0.1', port: 40000 }, expiresAt: 1_900_000_000_000, callId: 'c1', cseq: 1, q: 1 };
  assert.deepEqual(await store.loadSipBindings('501'), []);
  await store.saveSipBinding(b);
  assert.deepEqual((await store.loadSipBindings('501')).map((x) => x.cseq), [1]);
  await store.saveSipBinding({ ...b, cseq: 2 });
  assert.deepEqual((await store.loadSipBindings('501')).map((x) => x.cseq), [2]);
  await store.removeSipBinding('501', b.contact);
  assert.deepEqual(await store.loadSipBindings('501'), []);
});

test('call entries written together: one that cannot be written fails alone, the others are kept', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(() => store.close());
  // A value JSON cannot write makes its entry fail as it is inserted (in the batch, then alone).
  const bad = { ...call('1.2', 2000), extra: 1n } as unknown as CallRecord;
  const results = await Promise.allSettled([store.putCall(call('1.1', 1000)), store.putCall(bad), store.putCall(call('1.3', 3000))]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  const ids = (await store.listReportEntries('demo', 0, 10_000, 10)).map((e) => (e.kind === 'call' ? e.call.id : undefined));
  assert.deepEqual(ids, ['1.1', '1.3']);
});
