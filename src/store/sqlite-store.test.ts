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
  assert.deepEqual(counts, { accounts: 1, users: 3, numbers: 5, lines: 4, ringGroups: 1, trunks: 1, applications: 0, webhooks: 0, apiCredentials: 1 });
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

test('voice API: the account is found by its voice user id, and its token and secret authenticate', async (t) => {
  const store = new SqliteStore(join(tempDir(t), 'ringside.db'));
  t.after(() => store.close());
  await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  const account = await store.findAccountByVoiceUser('u-demo');
  assert.equal(account?.id, 'demo');
  assert.deepEqual(account?.voiceApi, { userId: 'u-demo' }, 'neither token nor secret is kept on the account');
  assert.equal(await store.findAccountByVoiceUser('u-other'), undefined);
  const credential = await store.findApiCredential('t-demo');
  assert.equal(credential?.accountId, 'demo');
  assert.equal(await store.verifyApiSecret(credential!, 's-demo'), true);
  assert.equal(await store.verifyApiSecret(credential!, 'wrong'), false);
});

test('voice API: REST-made applications and number links survive a reload of the file', async (t) => {
  const file = join(tempDir(t), 'ringside.db');
  const store = new SqliteStore(file);
  await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  await store.putApplication({ id: 'a-1', name: 'IVR', accountId: 'demo', source: 'api', incomingCallUrl: 'http://app.test/cb', callbackHttpMethod: 'POST', callbackTimeoutMs: 5000, autoAnswer: false });
  assert.equal(await store.setNumberApplication('demo', '+15550104', 'a-1'), true);
  assert.equal(await store.setNumberApplication('demo', '+19999999999', 'a-1'), false, 'not the account\'s number');
  assert.equal((await store.findNumber('+15550104'))?.application, 'a-1');
  await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  await store.close();
  const again = new SqliteStore(file);
  t.after(() => again.close());
  assert.equal((await again.getApplication('demo', 'a-1'))?.name, 'IVR');
  assert.equal((await again.findNumber('+15550104'))?.application, 'a-1', 'the link outlives the reload');
  assert.equal(await again.deleteApplication('demo', 'a-1'), true);
  assert.equal(await again.deleteApplication('demo', 'a-1'), false);
  assert.equal((await again.findNumber('+15550104'))?.application, undefined, 'deleting the application unlinks its numbers');
  assert.equal((await again.listApplications('demo')).length, 0);
});

test('voice API resources: upsert, get by account, list with filters, paging and order', async (t) => {
  const store = new SqliteStore(join(tempDir(t), 'ringside.db'));
  t.after(() => store.close());
  const call = (id: string, startTime: number, from = '+15550104') =>
    ({ kind: 'call', id, accountId: 'demo', userId: 'u-demo', sessionId: 's', direction: 'out', from, to: '+15557770001', state: 'started', recordingEnabled: false, startTime }) as const;
  for (let i = 0; i < 5; i++) await store.putVoiceResource(call(`c-${i}`, 1000 + i, i % 2 ? '+15550104' : '+15550100'));
  await store.putVoiceResource({ ...call('c-0', 1000, '+15550100'), state: 'completed', endTime: 2000 });
  assert.equal((await store.getVoiceResource('demo', 'call', 'c-0'))?.state, 'completed');
  assert.equal(await store.getVoiceResource('other', 'call', 'c-0'), undefined, 'another account sees nothing');
  assert.equal(await store.getVoiceResource('demo', 'gather', 'c-0'), undefined);
  const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
  assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 0, size: 2 })), ['c-4', 'c-3']);
  assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 2, size: 2 })), ['c-0']);
  assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 0, size: 10, order: 'asc', from: '+15550104' })), ['c-1', 'c-3']);
  await store.putVoiceResource({ kind: 'gather', id: 'g-1', accountId: 'demo', callId: 'c-1', state: 'started', createdTime: 5 });
  assert.deepEqual(ids(await store.listVoiceResources('demo', 'gather', { callId: 'c-1', page: 0, size: 10 })), ['g-1']);
  assert.deepEqual(ids(await store.listVoiceResources('demo', 'gather', { callId: 'c-2', page: 0, size: 10 })), []);
});
