/**
 * Store operations on the hot paths, SQLite vs PostgreSQL: a provisioning lookup (findUserBySipUsername:
 * every REGISTER and every call from a phone), a registrar write (saveSipBinding: every REGISTER) and a
 * report write (putCall: every call's end). Per operation: latency alone (one at a time, p50/p99), then
 * throughput with 16 in flight, and the process CPU per operation (what the node pays, database aside).
 * SQLite serves lookups from its in-memory read cache; PostgreSQL from its per-node cache (invalidated on
 * every node by LISTEN/NOTIFY), and again with `{ cache: false }` (every lookup a query). Last, the time a
 * provisioning change made through one node takes to be seen by another (two stores on one schema: the
 * notification's trip). PostgreSQL is the test server (RINGSIDE_TEST_PG, default
 * postgres://postgres@127.0.0.1:5432/test) in a throw-away schema; skipped when none answers.
 * Run: npm run bench -- store
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { PgDatabase } from '../src/store/pg-database.js';
import type { CallRecord, SipBindingRecord, Store } from '../src/store/store.js';
import { pgUnavailable, testSchemaUrl } from '../test/support/pg-test-database.js';
import { quantile } from './support/quantile.js';

const USERS = 100;
const ALONE = 2_000;
const TOTAL = 10_000;
const IN_FLIGHT = 16;

const rows: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const config = parseConfig(
  `accounts:\n  - id: bench\n    name: Bench\n    numbers: [{ number: "+15550100", name: Main }]\n    users:\n${Array.from({ length: USERS }, (_, i) => `      - { id: ${1000 + i}, name: U${i}, email: u${i}@bench.test, password: pass-${i}, pin: "${2000 + i}", sip: { username: "${3000 + i}", password: sip-pass-${i} } }`).join('\n')}\n`,
);

const binding = (i: number): SipBindingRecord => ({
  userId: String(1000 + (i % USERS)),
  aor: `sip:${3000 + (i % USERS)}@ringside`,
  contact: `sip:${3000 + (i % USERS)}@192.0.2.${i % 4}:5060`,
  source: { protocol: 'udp', host: `192.0.2.${i % 4}`, port: 5060 },
  expiresAt: Date.now() + 3_600_000,
  callId: `reg-${i}`,
  cseq: i,
  q: 1,
  userAgent: 'bench/1',
});

const call = (i: number): CallRecord => {
  const at = 1_700_000_000_000 + i * 1000;
  return {
    id: `bench-${i}`, accountId: 'bench', sessionId: `s-${i}`, direction: 'incoming', sessionKind: 'inbound', from: '+15557770001', to: '+15550100', lineId: 'main', lineNumber: '+15550100',
    userId: 1000 + (i % USERS), answeredByUserId: 1000 + (i % USERS), userIds: [1000 + (i % USERS)], startedAt: at, answeredAt: at + 3000, endedAt: at + 63_000, duration: 63, billableSeconds: 60,
    disposition: 'answered', hasVoicemail: false, hangupBy: { kind: 'phone', number: '+15557770001' }, cause: 'normal',
    legs: [
      { legId: `${i}.1`, role: 'caller', direction: 'in', partyKind: 'phone', number: '+15557770001', createdAt: at, answeredAt: at + 3000, endedAt: at + 63_000, endedBy: 'remote', cause: 'normal' },
      { legId: `${i}.2`, role: 'callee', direction: 'out', partyKind: 'sip', number: '101', userId: 1000 + (i % USERS), result: 'ANSWER', sipStatus: 200, createdAt: at + 10, answeredAt: at + 3000, endedAt: at + 63_000, cause: 'normal' },
    ],
  };
};

async function measure(backend: string, name: string, op: (i: number) => Promise<unknown>, offset: number): Promise<void> {
  const lat: number[] = [];
  for (let i = 0; i < ALONE; i++) {
    const t0 = process.hrtime.bigint();
    await op(offset + i);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((a, b) => a - b);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < TOTAL) await op(offset + ALONE + next++);
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  rows.push([backend, name, `p50 ${quantile(lat, 0.5).toFixed(3)} ms`, `p99 ${quantile(lat, 0.99).toFixed(3)} ms`, `${fmt(TOTAL / s)} ops/s`, `${((cpu.user + cpu.system) / TOTAL).toFixed(0)} µs`]);
}

async function run(backend: string, store: Store): Promise<void> {
  await store.replaceProvisioning(config);
  await measure(backend, 'findUserBySipUsername', async (i) => {
    if (!(await store.findUserBySipUsername(String(3000 + (i % USERS))))) throw new Error('user not found');
  }, 0);
  await measure(backend, 'saveSipBinding', (i) => store.saveSipBinding(binding(i)), 0);
  await measure(backend, 'putCall', (i) => store.putCall(call(i)), 0);
}

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-store-'));
const sqlite = new SqliteStore(join(dir, 'ringside.db'));
await run('SQLite', sqlite);
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

/** Node A links a number to an application (or unlinks it); node B, which had the number cached, polls
 *  until it sees the change. From A's write resolving to B's first lookup that returns the new value. */
async function crossNode(url: string): Promise<void> {
  const [a, b] = await Promise.all([PostgresStore.open(url, { poolSize: 4 }), PostgresStore.open(url, { poolSize: 4 })]);
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const app = i % 2 ? undefined : 'a-bench';
    await b.findNumber('+15550100');
    await a.setNumberApplication('bench', '+15550100', app);
    const t0 = process.hrtime.bigint();
    while ((await b.findNumber('+15550100'))?.application !== app) await new Promise((r) => setImmediate(r));
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((x, y) => x - y);
  rows.push(['PostgreSQL, 2 nodes', 'change on A seen on B', `p50 ${quantile(lat, 0.5).toFixed(3)} ms`, `p99 ${quantile(lat, 0.99).toFixed(3)} ms`, `${lat.length} changes`, '']);
  await Promise.all([a.close(), b.close()]);
}

const skip = await pgUnavailable();
if (!skip) {
  const url = testSchemaUrl('rs_bench');
  try {
    for (const cache of [true, false]) {
      const pg = await PostgresStore.open(url, { cache });
      await run(cache ? 'PostgreSQL' : 'PostgreSQL, cache: false', pg).finally(() => pg.close());
    }
    await crossNode(url);
  } finally {
    const db = new PgDatabase(url, { max: 1 });
    await db.dropSchema();
    await db.close();
  }
}

console.log(`${USERS} users provisioned; latency: ${fmt(ALONE)} operations one at a time; throughput: ${fmt(TOTAL)} operations, ${IN_FLIGHT} in flight.`);
console.log('SQLite writes fsync before they resolve (synchronous=NORMAL + util/wal-fsync.ts); PostgreSQL commits with its server settings.');
if (skip) console.log(`PostgreSQL: ${skip}`);
console.log('\n| store | operation | latency alone | | throughput | CPU / op (this process) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
