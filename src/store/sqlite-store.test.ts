import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import { loadConfigFile, parseConfig } from '../config/load-config.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('provisioning loads and answers the lookups the switch needs', async (t) => {
  const store = new SqliteStore(join(tempDir(t), 'ringside.db'));
  t.after(() => store.close());
  const counts = await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  assert.deepEqual(counts, { accounts: 1, users: 3, numbers: 4, lines: 4, ringGroups: 1, trunks: 1, applications: 0, webhooks: 0, apiCredentials: 0 });
  const alice = await store.findUserByEmail('Alice@Demo.test');
  assert.equal(alice?.id, 501);
  assert.equal(alice?.accountId, 'demo');
  assert.equal('password' in alice!, false, 'the plain password is not stored');
  assert.equal(await store.verifyUserPassword(alice!, 'alice-pass'), true);
  assert.equal(await store.verifyUserPassword(alice!, 'wrong'), false);
  assert.equal((await store.findUserBySipUsername('102'))?.name, 'Bob');
  assert.equal((await store.findUserByExtension('demo', '103'))?.role, 'manager');
  assert.equal((await store.findUserByPin('demo', '1101'))?.id, 501);
  assert.deepEqual(await store.findNumber('+15550101'), { number: '+15550101', name: 'Sales', sms: true, accountId: 'demo', lineId: 'sales' });
  assert.equal((await store.getLine('demo', 'support'))?.agentPinEntry, true);
  assert.equal((await store.findRingGroupByNumber('demo', '100'))?.members.length, 3);
  assert.equal((await store.getTrunk('carrier'))?.host, '127.0.0.2');
});

test('reloading replaces provisioning and survives a reopen', async (t) => {
  const file = join(tempDir(t), 'ringside.db');
  const first = new SqliteStore(file);
  await first.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  await first.replaceProvisioning(
    parseConfig(`accounts:\n  - id: other\n    name: Other\n    users: [{ id: 9, name: Zed, email: zed@o.test, password: zed-pass, pin: "9999" }]\n`),
  );
  await first.close();
  const again = new SqliteStore(file);
  t.after(() => again.close());
  assert.equal(await again.findUserByEmail('alice@demo.test'), undefined);
  assert.equal((await again.getUser(9))?.name, 'Zed');
  assert.equal((await again.counts()).accounts, 1);
});

test('SIP bindings are upserted per contact and survive a reopen', async (t) => {
  const file = join(tempDir(t), 'ringside.db');
  const store = new SqliteStore(file);
  const b = { userId: '501', aor: 'sip:101@ringside', contact: 'sip:101@192.0.2.10:5062', source: { protocol: 'udp' as const, host: '127.0.0.1', port: 40000 }, expiresAt: 1_900_000_000_000, callId: 'c1', cseq: 1, q: 1 };
  await store.saveSipBinding(b);
  await store.saveSipBinding({ ...b, cseq: 2, expiresAt: 1_900_000_100_000 });
  await store.saveSipBinding({ ...b, contact: 'sip:101@192.0.2.11:5062' });
  await store.close();
  const again = new SqliteStore(file);
  t.after(() => again.close());
  const got = await again.loadSipBindings('501');
  assert.equal(got.length, 2);
  assert.equal(got[0]?.cseq, 2);
  await again.removeSipBinding('501', 'sip:101@192.0.2.10:5062');
  assert.deepEqual((await again.loadSipBindings('501')).map((x) => x.contact), ['sip:101@192.0.2.11:5062']);
  assert.deepEqual(await again.loadSipBindings('502'), []);
});

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
