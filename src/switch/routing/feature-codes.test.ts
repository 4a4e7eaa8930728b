/**
 * Feature codes and presence in routing (docs/call-centre.md, "Agents"): what each code sets from each
 * presence, that only the three codes are codes, that the store keeps what was set, and that a line's hunt
 * (availableUsers) leaves out paused and logged-out agents but keeps `available: false` users out as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseConfig } from '../../config/load-config.js';
import { applyFeatureCode, isFeatureCode, presenceAfter } from './feature-codes.js';
import { availableUsers } from './targets.js';
import { presenceOf } from './agent-presence.js';

const user = (id: number, available = true) =>
  `      - { id: ${id}, name: U${id}, email: u${id}@x.test, password: pw-${id}, role: user, extension: "${id}", pin: "900${id}", available: ${available} }\n`;
const CONFIG = 'accounts:\n  - id: acme\n    name: Acme\n    users:\n' + user(11) + user(12) + user(13) + user(14, false) + '  - id: beta\n    name: Beta\n    users:\n' + user(21);

async function openStore(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-feature-codes-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

test('what each code sets: *50 available, *51 logged out, *52 toggles paused', () => {
  for (const from of ['available', 'paused', 'logged-out'] as const) {
    assert.equal(presenceAfter('*50', from), 'available');
    assert.equal(presenceAfter('*51', from), 'logged-out');
  }
  assert.equal(presenceAfter('*52', 'available'), 'paused');
  assert.equal(presenceAfter('*52', 'logged-out'), 'paused');
  assert.equal(presenceAfter('*52', 'paused'), 'available');
});

test('only *50, *51 and *52 are feature codes', () => {
  assert.deepEqual(['*50', '*51', '*52'].filter(isFeatureCode), ['*50', '*51', '*52']);
  for (const s of ['*5', '*53', '50', '*500', '#50', '', 'toString', '__proto__', 'constructor']) assert.equal(isFeatureCode(s), false, s);
});

test('a code applied is stored with its time; *52 reads what is stored', async (t) => {
  const store = await openStore(t);
  const u = (await store.getUser(12))!;
  assert.equal(await applyFeatureCode(store, { featureCode: '*52', user: u }, 1000), 'paused');
  assert.deepEqual(await store.getAgentPresence(12), { accountId: 'acme', userId: 12, presence: 'paused', since: 1000 });
  assert.equal(await applyFeatureCode(store, { featureCode: '*52', user: u }, 2000), 'available');
  assert.equal(await applyFeatureCode(store, { featureCode: '*51', user: u }, 3000), 'logged-out');
  assert.deepEqual(await store.getAgentPresence(12), { accountId: 'acme', userId: 12, presence: 'logged-out', since: 3000 });
});

test('a hunt leaves out paused and logged-out agents; available: false users stay out; other accounts never count', async (t) => {
  const store = await openStore(t);
  const account = (await store.getAccount('acme'))!;
  const hunt = async () => (await availableUsers({ store }, account, [14, 13, 12, 11, 21])).map((u) => u.id);
  assert.deepEqual(await hunt(), [13, 12, 11], 'in the order given');
  await store.setAgentPresence({ accountId: 'acme', userId: 12, presence: 'paused', since: 1 });
  await store.setAgentPresence({ accountId: 'acme', userId: 13, presence: 'logged-out', since: 2 });
  await store.setAgentPresence({ accountId: 'acme', userId: 14, presence: 'available', since: 3 });
  assert.deepEqual(await hunt(), [11]);
  await store.setAgentPresence({ accountId: 'acme', userId: 13, presence: 'available', since: 4 });
  assert.deepEqual(await hunt(), [13, 11]);
  assert.deepEqual(await availableUsers({ store }, account, []), []);
});

test('a record left from another account is not the user\'s: available', () => {
  const u = { id: 11, accountId: 'acme' };
  assert.equal(presenceOf(u, { accountId: 'beta', userId: 11, presence: 'paused', since: 1 }), 'available');
  assert.equal(presenceOf(u, { accountId: 'acme', userId: 11, presence: 'paused', since: 1 }), 'paused');
  assert.equal(presenceOf(u, undefined), 'available');
});
