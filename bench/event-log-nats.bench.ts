/**
 * The event log on NATS JetStream next to SQLite, same workload as event-log.bench.ts: append throughput
 * (groups of concurrent appends), single-append latency, reads by cursor and a subscriber's catch-up. And
 * what the JetStream log adds to raw publishing: the same three events published alone, then with the id
 * bucket's check (get) and index (put) — the price of skipping repeats older than the duplicate window.
 * Needs NATS with JetStream (RINGSIDE_BENCH_NATS, default nats://127.0.0.1:4222); its streams are deleted after.
 * Run: npm run bench -- event-log-nats
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { SqliteEventLog } from '../src/events/log/sqlite-event-log.js';
import { NatsEventLog } from '../src/events/log/nats-event-log.js';
import { deleteLogStreams } from '../src/events/log/nats-log-streams.js';
import { LogSubjects, encodeToken } from '../src/events/log/nats-subjects.js';
import { encodeEvent } from '../src/events/log/nats-event-codec.js';
import type { EventLog, LoggedEvent } from '../src/events/log/event-log.js';
import type { Fact } from '../src/events/model/facts.js';
import { quantile } from './support/quantile.js';

const SERVER = process.env.RINGSIDE_BENCH_NATS ?? 'nats://127.0.0.1:4222';
const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-lognats-'));
const rows: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const created: LogSubjects[] = [];
let run = 0;

function batch(i: number): { facts: Fact[]; events: LoggedEvent[] } {
  const sessionId = `s${i >> 4}`;
  const fact: Fact = { type: 'leg.answered', sessionId, at: Date.now(), legId: `${sessionId}.2` };
  const events: LoggedEvent[] = ['realtime', 'teltel', 'bandwidth'].map((dialect, d) => ({
    dialect,
    name: d === 1 ? 'RINGRESULT' : 'voice.incoming.answer',
    id: `${run}-${i}-${d}`,
    sessionId,
    accountId: `acc${i % 8}`,
    userIds: [String(500 + (i % 20))],
    payload: { event: 'RINGRESULT', session_id: sessionId, call_id: '1715678467.1842', accountcode: 'demo', direction: 'inbound', type: 'standard', phase: 'didtosip', participants: 0, state: 'ANSWER', timestamp: new Date().toISOString() },
  }));
  return { facts: [fact], events };
}

type Backend = 'SQLite' | 'JetStream';

async function open(backend: Backend, label: string): Promise<EventLog> {
  run++;
  if (backend === 'SQLite') return new SqliteEventLog(join(dir, `${label}.db`));
  const id = randomBytes(4).toString('hex');
  created.push(new LogSubjects(`BENCH${id}`, `bench${id}`));
  return NatsEventLog.open({ servers: SERVER, stream: `BENCH${id}`, prefix: `bench${id}` });
}

async function appendThroughput(backend: Backend, total: number, concurrency: number): Promise<void> {
  const log = await open(backend, `append-${concurrency}`);
  const elu0 = performance.eventLoopUtilization();
  const t0 = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < total) await log.append(batch(next++));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  rows.push([`${backend}: append, ${concurrency} concurrent writers`, `${fmt(total / s)} appends/s`, `${fmt((total * 3) / s)} events/s`, `${fmt(total)} appends, event loop busy ${(elu * 100).toFixed(0)} %`]);
  await log.close();
}

function latencyRow(label: string, lat: number[]): void {
  lat.sort((a, b) => a - b);
  const q = (p: number) => quantile(lat, p).toFixed(2);
  rows.push([label, `p50 ${q(0.5)} ms`, `p99 ${q(0.99)} ms`, `${lat.length} appends`]);
}

async function appendLatency(backend: Backend, n: number): Promise<void> {
  const log = await open(backend, 'latency');
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await log.append(batch(i));
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencyRow(`${backend}: single append, alone`, lat);
  await log.close();
}

/** The same three events and fact published straight to JetStream, acks awaited; then with the id
 *  bucket's get before and put after, as the log does. */
async function rawLatency(n: number): Promise<void> {
  const nc = await connect({ servers: SERVER, noAsyncTraces: true });
  const js = nc.jetstream();
  const id = randomBytes(4).toString('hex');
  const names = new LogSubjects(`BENCH${id}`, `bench${id}`);
  created.push(names);
  // The streams and bucket as the log makes them.
  await (await NatsEventLog.open({ connection: nc, stream: `BENCH${id}`, prefix: `bench${id}` })).close();
  const kv = await js.views.kv(names.idBucket);
  for (const withIds of [false, true]) {
    run++;
    const lat: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = batch(i);
      const t0 = process.hrtime.bigint();
      if (withIds) await Promise.all(b.events.map((e) => kv.get(encodeToken(e.id))));
      const acks = await Promise.all([
        ...b.facts.map((f) => js.publish(names.fact(f.sessionId), JSON.stringify(f))),
        ...b.events.map((e) => js.publish(names.event(e.accountId, e.dialect, e.sessionId, e.name), encodeEvent(e, JSON.stringify(e.payload), Date.now()), { msgID: e.id })),
      ]);
      if (withIds) await Promise.all(b.events.map((e, k) => kv.put(encodeToken(e.id), String(acks[k + 1]!.seq))));
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    latencyRow(withIds ? 'raw JetStream: 1 fact + 3 events + id bucket get/put' : 'raw JetStream: 1 fact + 3 events published, acks awaited', lat);
  }
  await nc.close();
}

async function reads(backend: Backend, total: number): Promise<void> {
  const log = await open(backend, 'reads');
  for (let i = 0; i < total; i += 500) await Promise.all(Array.from({ length: Math.min(500, total - i) }, (_, k) => log.append(batch(i + k))));
  const scan = async (label: string, filter: Parameters<typeof log.read>[1]) => {
    const t0 = process.hrtime.bigint();
    let after = 0;
    let n = 0;
    let pages = 0;
    for (;;) {
      const page = await log.read(after, filter, 500);
      if (page.length === 0) break;
      n += page.length;
      pages++;
      after = page.at(-1)!.position;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push([`${backend}: read by cursor, ${label}`, `${fmt(n / s)} events/s`, `${fmt(n)} events`, `pages of 500, ${((s * 1000) / (pages + 1)).toFixed(1)} ms/page`]);
  };
  await scan('no filter', {});
  await scan('one account of 8', { accountId: 'acc3' });
  await scan('one user of 20 in one account', { accountId: 'acc3', userId: '503' });
  const lat: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = process.hrtime.bigint();
    await log.positionOf(`${run}-${(i * 7919) % total}-1`);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  lat.sort((x, y) => x - y);
  rows.push([`${backend}: positionOf (resume by event id)`, `p50 ${quantile(lat, 0.5).toFixed(2)} ms`, `p99 ${quantile(lat, 0.99).toFixed(2)} ms`, '500 lookups']);
  const t0 = process.hrtime.bigint();
  const n = await new Promise<number>((resolve) => {
    let count = 0;
    const sub = log.subscribe({ filter: {}, after: 0, onEntry: () => count++, onLive: () => (sub.close(), resolve(count)) });
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push([`${backend}: subscriber catch-up from position 0`, `${fmt(n / s)} events/s`, `${fmt(n)} events`, 'then live']);
  await log.close();
}

const reachable = await connect({ servers: SERVER, timeout: 2000, reconnect: false }).then(
  (nc) => nc.close().then(() => true),
  () => false,
);
if (!reachable) {
  console.error(`*** SKIPPED: event-log-nats bench: no NATS server at ${SERVER} ***`);
  process.exit(0);
}
try {
  for (const backend of ['SQLite', 'JetStream'] as const) {
    await appendThroughput(backend, 10_000, 64);
    await appendThroughput(backend, 5_000, 8);
    await appendLatency(backend, 500);
  }
  await rawLatency(500);
  for (const backend of ['SQLite', 'JetStream'] as const) await reads(backend, 10_000);
} finally {
  const nc = await connect({ servers: SERVER });
  const jsm = await nc.jetstreamManager();
  for (const names of created) await deleteLogStreams(jsm, names);
  await nc.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`Each append = 1 fact + 3 wire events (one per dialect), ~400 bytes of JSON per event. SQLite: synchronous=FULL. JetStream: ${SERVER}, one server, file storage, R1.\n`);
console.log('| benchmark | throughput / latency | | notes |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
