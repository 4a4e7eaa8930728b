/**
 * `ringside export-config`: the store's provisioning, REST edits included, round-trips through a file —
 * check-config accepts it and loading it gives the same provisioning, hashes and SIP passwords included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfigFile, parseConfig } from '../config/load-config.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { CallFlow } from '../config/call-flow/flow-types.js';
import { exportProvisioning } from './export-config-command.js';
import { runCli } from '../../test/support/ringside-process.js';

async function provisioning(store: Store) {
  const accounts = await store.listAccounts();
  const per = async (id: string) => ({
    users: await store.listUsers(id),
    numbers: await store.listNumbers(id),
    lines: await store.listLines(id),
    ringGroups: await store.listRingGroups(id),
    applications: await store.listApplications(id),
    apiCredentials: await store.listApiCredentials(id),
    flows: await store.listFlows(id),
  });
  return { server: await store.serverConfig(), trunks: await store.listTrunks(), accounts, each: await Promise.all(accounts.map((a) => per(a.id))) };
}

const FLOW: CallFlow = {
  id: 'ivr',
  name: 'IVR',
  start: 'hours',
  nodes: {
    hours: { type: 'time', weekly: [{ days: ['mon', 'fri'], from: '09:00', to: '17:00' }], holidays: ['2026-12-24'], open: 'menu', closed: 'mailbox' },
    menu: { type: 'menu', prompt: { file: 'prompts/welcome.wav' }, keys: { '1': 'sales', '0': 'mailbox', '#': 'bye', '*': 'menu' }, retries: 1 },
    sales: { type: 'dial', target: { ringGroup: 'everyone' }, strategy: 'round-robin', noAnswer: 'mailbox' },
    mailbox: { type: 'voicemail', mailboxUser: 501 },
    bye: { type: 'hangup' },
  },
};

async function editedStore(dir: string): Promise<SqliteStore> {
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'), 'seed');
  await store.changeProvisioning({ resource: 'users', op: 'create', accountId: 'demo', value: { name: 'Dan', email: 'dan@demo.test', password: 'dan-pass', role: 'user', extension: '104', pin: '1104', sip: { username: '104', password: 'dan-sip-104' }, available: true, ownRecordsOnly: false } });
  await store.changeProvisioning({ resource: 'apiCredentials', op: 'create', accountId: 'demo', value: { token: 'crm-token-1', secret: 'crm-secret-1', name: 'crm' } });
  // A flow with menu keys that YAML would read as numbers unless quoted, and a line running it.
  await store.changeProvisioning({ resource: 'flows', op: 'create', accountId: 'demo', value: FLOW });
  const { accountId: _a, ...main } = (await store.getLine('demo', 'main'))!;
  await store.changeProvisioning({ resource: 'lines', op: 'replace', accountId: 'demo', key: 'main', value: { ...main, ring: { ...main.ring, strategy: 'flow', flow: 'ivr' } } });
  return store;
}

test('exported provisioning loads back to the same provisioning, REST edits and credentials included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = await editedStore(dir);
  const exported = stringify(await exportProvisioning(store));
  assert.doesNotMatch(exported, /dan-pass|crm-secret-1|alice-pass|s-demo\b/, 'no plaintext login password or API secret');
  assert.match(exported, /passwordHash: scrypt\$/);
  assert.match(exported, /"1": sales/, 'menu keys stay strings');
  const config = parseConfig(exported, 'exported.yaml');
  const fresh = new SqliteStore(join(dir, 'fresh.db'));
  t.after(async () => {
    await fresh.close();
    await store.close();
  });
  await fresh.replaceProvisioning(config);
  assert.deepEqual(await provisioning(fresh), await provisioning(store));
  assert.equal(JSON.stringify(await fresh.getFlow('demo', 'ivr')), JSON.stringify({ ...FLOW, accountId: 'demo' }), 'the flow as written, key order included');
  assert.equal((await fresh.getLine('demo', 'main'))?.ring.flow, 'ivr');
  const dan = (await fresh.findUserByEmail('dan@demo.test'))!;
  assert.equal(await fresh.verifyUserPassword(dan, 'dan-pass'), true);
  assert.equal(dan.sip?.password, 'dan-sip-104');
  assert.equal(await fresh.verifyApiSecret((await fresh.findApiCredential('t-demo'))!, 's-demo'), true, 'the voice API secret round-trips as its hash');
});

test('the CLI writes a file check-config accepts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-export-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await (await editedStore(dir)).close();
  const out = join(dir, 'exported.yaml');
  const exported = await runCli(['export-config', '--data', dir, '--out', out]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o600, 'credentials: private');
  assert.match(readFileSync(out, 'utf8'), /email: dan@demo.test/);
  const checked = await runCli(['check-config', out]);
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /valid \(1 account, 4 users, 5 lines, 1 trunk\)/);
  const empty = await runCli(['export-config', '--data', join(dir, 'missing')]);
  assert.equal(empty.code, 2);
});
