/**
 * What the PostgreSQL store promises beyond the Store contract: it is shared by several Ringside nodes.
 * Two PostgresStore instances on one schema stand for two nodes (each its own pool, as two processes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStore } from './postgres-store.js';
import { PgDatabase } from './pg-database.js';
import { lockProvisioning } from './postgres-provisioning.js';
import { STORE_MIGRATIONS } from './postgres-store-migrations.js';
import { loadConfigFile, parseConfig } from '../config/load-config.js';
import type { SipBindingRecord } from './store.js';
import { pgUnavailable, testSchemaUrl } from '../../test/support/pg-test-database.js';

const skip = await pgUnavailable();

/** Two nodes on one fresh schema, started together (their migrations race), dropped after the test. */
async function twoNodes(t: { after(fn: () => Promise<void>): void }): Promise<[PostgresStore, PostgresStore, string]> {
  const url = testSchemaUrl();
  const nodes = await Promise.all([PostgresStore.open(url, { poolSize: 3 }), PostgresStore.open(url, { poolSize: 3 })]);
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    const db = new PgDatabase(url, { max: 1 });
    await db.dropSchema();
    await db.close();
  });
  return [nodes[0], nodes[1], url];
}

/** Polls `check` until it holds, for at most 2 s (a notification crosses in well under that). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within 2 s: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const binding: SipBindingRecord = { userId: '501', aor: 'sip:101@ringside', contact: 'sip:101@192.0.2.10:5062', source: { protocol: 'tcp', host: '192.0.2.10', port: 40000, connectionId: 'tcp-1' }, expiresAt: 1_900_000_000_000, callId: 'c1', cseq: 1, q: 1 };

test('two nodes: a phone registered through A is found by B at once, as is a login; B\'s reload and A\'s number link reach the other once the commit\'s notification does', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  await a.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  assert.equal((await b.findUserBySipUsername('101'))?.id, 501);
  assert.deepEqual(await b.loadSipBindings('501'), []);
  await a.saveSipBinding(binding);
  assert.deepEqual(await b.loadSipBindings('501'), [binding], 'no cache on B hides A\'s registration');
  await b.saveSipBinding({ ...binding, cseq: 2 });
  assert.deepEqual((await a.loadSipBindings('501')).map((x) => x.cseq), [2], 'a refresh through B is seen by A');
  await b.removeSipBinding('501', binding.contact);
  assert.deepEqual(await a.loadSipBindings('501'), []);

  // Provisioning is cached per node: A sees B's reload once B's commit notification reaches it.
  assert.equal((await a.findUserBySipUsername('101'))?.name, 'Alice');
  await b.replaceProvisioning(parseConfig(`accounts:\n  - id: demo\n    name: Demo\n    users: [{ id: 501, name: Alicia, email: alice@demo.test, password: alice-pass, pin: "1101", sip: { username: "101", password: x-101 } }]\n`));
  assert.equal((await b.findUserBySipUsername('101'))?.name, 'Alicia', 'B reads its own write at once');
  await eventually(async () => (await a.findUserBySipUsername('101'))?.name === 'Alicia', 'B\'s reload is seen by A');
  assert.equal(await a.findNumber('+15550101'), undefined);
  assert.equal(await a.findUserBySipUsername('102'), undefined);

  await a.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  await a.putApplication({ id: 'a-1', name: 'IVR', accountId: 'demo', source: 'api', incomingCallUrl: 'http://app.test/cb', callbackHttpMethod: 'POST', callbackTimeoutMs: 5000, autoAnswer: false });
  assert.equal(await a.setNumberApplication('demo', '+15550104', 'a-1'), true);
  await eventually(async () => (await b.findNumber('+15550104'))?.application === 'a-1', 'a number linked through A routes on B');
  const issued = await a.createAuthSession(501, 'demo', 3600, 86400);
  assert.equal((await b.findAuthSession(issued.token))?.userId, 501, 'a login on A is valid on B');
});

test('nodes starting together with one config: concurrent replaces neither fail nor interleave', { skip }, async (t) => {
  const [a, b, url] = await twoNodes(t);
  const demo = loadConfigFile('examples/demo.yaml');
  const counts = await Promise.all([a.replaceProvisioning(demo), b.replaceProvisioning(demo), a.replaceProvisioning(demo), b.replaceProvisioning(demo)]);
  for (const c of counts) assert.deepEqual(c, { accounts: 1, users: 3, numbers: 6, lines: 5, ringGroups: 1, trunks: 1, applications: 0, webhooks: 0, apiCredentials: 1, flows: 1 });

  // Two different files at once: the result is one of them whole, never a mix.
  const file = (id: string, userBase: number) =>
    parseConfig(`accounts:\n  - id: ${id}\n    name: ${id}\n    users:\n${[0, 1, 2].map((i) => `      - { id: ${userBase + i}, name: u${i}, email: u${i}@${id}.test, password: pass-${i}, pin: "${1000 + i}", sip: { username: "${id}${i}", password: sip-pass-${i} } }`).join('\n')}\n`);
  for (let round = 0; round < 3; round++) {
    await Promise.all([a.replaceProvisioning(file('x', 100)), b.replaceProvisioning(file('y', 200))]);
    const accounts = (await a.listAccounts()).map((x) => x.id);
    assert.equal(accounts.length, 1);
    const users = await a.listUsers(accounts[0]!);
    assert.equal(users.length, 3);
    assert.equal((await a.counts()).users, 3, 'no user of the other file left behind');
  }

  // The replace really queues behind the provisioning lock: held here by a third client, it waits.
  const db = new PgDatabase(url, { max: 1 });
  t.after(() => db.close());
  const holder = await db.pool.connect();
  await holder.query('BEGIN');
  await lockProvisioning(holder, db.schema);
  let done = false;
  const waiting = a.replaceProvisioning(demo).then(() => (done = true));
  try {
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(done, false, 'a replace waits while another holds the lock');
  } finally {
    await holder.query('COMMIT');
    holder.release();
    await waiting;
  }

  // A third node starting later finds the schema migrated and applies nothing again.
  const c = await PostgresStore.open(db);
  await c.close();
  const versions = await db.pool.query(`SELECT version FROM schema_migrations WHERE component = 'store'`);
  assert.deepEqual(versions.rows.map((r: { version: number }) => r.version).sort((x: number, y: number) => x - y), STORE_MIGRATIONS.map((_, i) => i), 'each migration once');
  assert.equal((await db.pool.query('SELECT 1')).rowCount, 1, 'a store opened on a caller\'s database leaves it open');
});

test('provisioning is served from memory only while the listener is connected; a lost listener reconnects', { skip }, async (t) => {
  const [a, b, url] = await twoNodes(t);
  await a.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  assert.equal(a.cacheLive, true);
  const first = await a.findNumber('+15550101');
  assert.equal(await a.findNumber('+15550101'), first, 'the second lookup is the cached record');
  assert.throws(() => ((first as { name: string }).name = 'x'), TypeError, 'a shared record cannot be changed by one reader');

  // Cut A's listener as a server restart or a network fault would.
  const db = new PgDatabase(url, { max: 1 });
  t.after(() => db.close());
  const killed = await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`ringside-store-listener:${db.schema}`]);
  assert.equal(killed.rowCount, 2, 'both nodes\' listeners found');
  await eventually(async () => !a.cacheLive, 'A notices its listener is gone');
  await b.setNumberApplication('demo', '+15550101', 'a-x');
  assert.equal((await a.findNumber('+15550101'))?.application, 'a-x', 'without a listener A reads the database each time');
  await eventually(async () => a.cacheLive && b.cacheLive, 'the listeners reconnect');
  await a.findNumber('+15550101');
  await b.setNumberApplication('demo', '+15550101', undefined);
  await eventually(async () => (await a.findNumber('+15550101'))?.application === undefined, 'after reconnecting, notifications arrive again');
});

test('a bad URL or an unreachable server fails open() with a clear error', { skip }, async () => {
  await assert.rejects(PostgresStore.open('mysql://x'), /not a PostgreSQL URL/);
  await assert.rejects(PostgresStore.open('postgres://postgres@127.0.0.1:1/test'), /ECONNREFUSED/);
});

test('two nodes: a REST write through A is seen by B (its cache dropped), and concurrent writers never both win a unique value', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  await a.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  assert.equal(await b.findUserBySipUsername('104'), undefined);
  assert.equal((await b.findUserByExtension('demo', '101'))?.id, 501, 'cached on B');
  const user = (email: string) => ({ name: 'Dan', email, password: 'dan-pass', role: 'user' as const, extension: '104', pin: '1104', sip: { username: '104', password: 'dan-sip-104' }, available: true, ownRecordsOnly: false });
  await a.changeProvisioning({ resource: 'users', op: 'create', accountId: 'demo', value: user('dan@demo.test') });
  await eventually(async () => (await b.findUserBySipUsername('104'))?.email === 'dan@demo.test', 'B finds the new SIP user');
  await a.changeProvisioning({ resource: 'users', op: 'replace', accountId: 'demo', key: 501, value: { ...user('alice@demo.test'), name: 'Alice', extension: '111', pin: '1101', sip: { username: '101' } } });
  await eventually(async () => (await b.findUserByExtension('demo', '101')) === undefined && (await b.findUserByExtension('demo', '111'))?.id === 501, "B drops Alice's old extension");
  // Two nodes create users with the same extension at once: the provisioning lock runs them one after
  // the other, and the second sees the first's row.
  const results = await Promise.allSettled([
    a.changeProvisioning({ resource: 'users', op: 'create', accountId: 'demo', value: { ...user('e1@demo.test'), extension: '120', pin: '1120', sip: { username: '120', password: 'xxxxxx' } } }),
    b.changeProvisioning({ resource: 'users', op: 'create', accountId: 'demo', value: { ...user('e2@demo.test'), extension: '120', pin: '1121', sip: { username: '121', password: 'xxxxxx' } } }),
  ]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.equal((await a.listUsers('demo')).filter((u) => u.extension === '120').length, 1);
});
