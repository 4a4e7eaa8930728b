/**
 * HTTP Basic checks and what they cost: a secret that passed scrypt is remembered (the next request with it
 * runs no scrypt), a changed secret is checked again, and a source past its failed checks gets 429 without
 * a check — while credentials it already proved still pass. A real SqliteStore, its verify calls counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite-store.js';
import { parseConfig } from '../config/load-config.js';
import { identifyAccount } from './credentials.js';
import { VerifiedSecrets } from './verified-secrets.js';
import { BasicFailures } from './basic-failures.js';

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const config = (secret: string) => `accounts:\n  - id: acme\n    name: Acme\n    voiceApi: { userId: u-acme, apiToken: t-acme, apiSecret: ${secret} }\n`;

test('a verified secret is remembered; a changed one is checked again; failures block a source but not proven credentials', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-credentials-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.replaceProvisioning(parseConfig(config('s-one')));
  let scrypts = 0;
  const verify = store.verifyApiSecret.bind(store);
  store.verifyApiSecret = (c, s) => (scrypts++, verify(c, s));

  assert.equal((await identifyAccount(basic('t-acme', 's-one'), ['basic-api'], store, '10.0.0.1')).ok, true);
  assert.equal((await identifyAccount(basic('t-acme', 's-one'), ['basic-api'], store, '10.0.0.1')).ok, true);
  assert.equal(scrypts, 1, 'the second request ran no scrypt');
  assert.equal((await identifyAccount(basic('t-acme', 's-two'), ['basic-api'], store, '10.0.0.1')).ok, false);

  await store.replaceProvisioning(parseConfig(config('s-two')));
  const before = scrypts;
  assert.equal((await identifyAccount(basic('t-acme', 's-one'), ['basic-api'], store, '10.0.0.1')).ok, false, 'the old secret no longer works');
  assert.equal((await identifyAccount(basic('t-acme', 's-two'), ['basic-api'], store, '10.0.0.1')).ok, true);
  assert.equal(scrypts, before + 2, 'the new hash is checked by scrypt');

  // 20 failures from one address: the 21st attempt is refused without a check.
  for (let i = 0; i < 20; i++) assert.equal((await identifyAccount(basic('t-acme', `guess-${i}`), ['basic-api'], store, '10.0.0.9')).ok, false);
  const counted = scrypts;
  const blocked = await identifyAccount(basic('t-acme', 'guess-x'), ['basic-api'], store, '10.0.0.9');
  assert.equal(blocked.ok, false);
  assert.equal(!blocked.ok && blocked.status, 429);
  assert.ok(!blocked.ok && blocked.retryAfterMs! > 0 && blocked.retryAfterMs! <= 60_000);
  assert.equal(scrypts, counted, 'a blocked attempt runs no scrypt');
  assert.equal((await identifyAccount(basic('t-acme', 's-two'), ['basic-api'], store, '10.0.0.9')).ok, true, 'proven credentials pass from a blocked address');
  assert.equal((await identifyAccount(basic('t-acme', 'guess-y'), ['basic-api'], store, '10.0.0.2')).ok && 'ok', false, 'another address is not blocked (a plain 401)');
});

test('VerifiedSecrets: expiry, a wrong secret under a known key, the bound', () => {
  const v = new VerifiedSecrets(1000, 2);
  v.remember('a', 'x', 0);
  assert.equal(v.known('a', 'x', 999), true);
  assert.equal(v.known('a', 'y', 999), false);
  assert.equal(v.known('a', 'x', 1000), false, 'expired');
  v.remember('a', 'x', 0);
  v.remember('b', 'x', 0);
  v.remember('c', 'x', 0);
  assert.equal(v.known('a', 'x', 1), false, 'the oldest went when the bound was reached');
  assert.equal(v.known('c', 'x', 1), true);
});

test('BasicFailures: a window per source', () => {
  const f = new BasicFailures(3, 1000);
  for (let i = 0; i < 2; i++) f.fail('s', 100);
  assert.equal(f.retryAfterMs('s', 200), 0);
  f.fail('s', 200);
  assert.equal(f.retryAfterMs('s', 300), 800);
  assert.equal(f.retryAfterMs('s', 1100), 0, 'the window ended');
});
