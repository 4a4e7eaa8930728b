/**
 * Event log throughput: appends (group-committed, fsync per commit), single-append latency, reads by
 * cursor with and without filters, and a subscriber catching up from position 0.
 * Run: npm run bench -- event-log
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '../src/events/log/sqlite-event-log.js';
import type { LoggedEvent } from '../src/events/log/event-log.js';
import type { Fact } from '../src/events/model/facts.js';
import { quantile } from './support/quantile.js';

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-log-'));
const rows: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function batch(i: number): { facts: Fact[]; events: LoggedEvent[] } {
  const sessionId = `s${i >> 4}`;
  const fact: Fact = { type: 'leg.answered', sessionId, at: Date.now(), legId: `${sessionId}.2` };
  const events: LoggedEvent[] = ['realtime', 'teltel', 'bandwidth'].map((dialect, d) => ({
    dialect,
    name: d === 1 ? 'RINGRESULT' : 'voice.incoming.answer',
    id: `${i}-${d}`,
    sessionId,
    accountId: `acc${i % 8}`,
    userIds: [String(500 + (i % 20))],
    payload: { event: 'RINGRESULT', session_id: sessionId, call_id: '1715678467.1842', accountcode: 'demo', direction: 'inbound', type: 'standard', phase: 'didtosip', participants: 0, state: 'ANSWER', timestamp: new Date().toISOString() },
  }));
  return { facts: [fact], events };
}

async function appendThroughput(sync: 'FULL' | 'NORMAL', total: number, concurrency: number): Promise<void> {
  const log = new SqliteEventLog(join(dir, `append-${sync}-${concurrency}.db`), { synchronous: sync });
  const elu0 = performance.eventLoopUtilization();
  const t0 = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < total) await log.append(batch(next++));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const { commits, fsyncs } = log.stats;
  // Event-loop utilisation: the share of the time the loop was busy (fsync runs on the thread pool).
  const elu = performance.eventLoopUtilization(elu0).utilization;
  rows.push([`append, synchronous=${sync}, ${concurrency} concurrent writers`, `${fmt(total / s)} appends/s`, `${fmt((total * 3) / s)} events/s`, `${commits} commits, ${(total / commits).toFixed(1)} appends/commit, ${fsyncs} fsyncs, event loop busy ${(elu * 100).toFixed(0)} %`]);
  await log.close();
}

async function appendLatency(n: number): Promise<void> {
  const log = new SqliteEventLog(join(dir, 'latency.db'));
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await log.append(batch(i));
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => quantile(lat, p).toFixed(2);
  rows.push(['single append, alone (commit + fsync each)', `p50 ${q(0.5)} ms`, `p99 ${q(0.99)} ms`, `${n} appends`]);
  await log.close();
}

async function reads(total: number): Promise<void> {
  const log = new SqliteEventLog(join(dir, 'reads.db'), { synchronous: 'NORMAL' });
  await Promise.all(Array.from({ length: total }, (_, i) => log.append(batch(i))));
  const scan = async (label: string, filter: Parameters<typeof log.read>[1]) => {
    const t0 = process.hrtime.bigint();
    let after = 0;
    let n = 0;
    for (;;) {
      const page = await log.read(after, filter, 500);
      if (page.length === 0) break;
      n += page.length;
      after = page.at(-1)!.position;
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push([`read by cursor, ${label}`, `${fmt(n / s)} events/s`, `${fmt(n)} events`, 'pages of 500']);
  };
  await scan('no filter', {});
  await scan('one account of 8', { accountId: 'acc3' });
  await scan('one user of 20 in one account', { accountId: 'acc3', userId: '503' });
  const t0 = process.hrtime.bigint();
  const n = await new Promise<number>((resolve) => {
    let count = 0;
    const sub = log.subscribe({ filter: {}, after: 0, onEntry: () => count++, onLive: () => (sub.close(), resolve(count)) });
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push(['subscriber catch-up from position 0', `${fmt(n / s)} events/s`, `${fmt(n)} events`, 'then live']);
  await log.close();
}

await appendThroughput('FULL', 20_000, 64);
await appendThroughput('FULL', 20_000, 8);
await appendThroughput('NORMAL', 20_000, 64);
await appendLatency(500);
await reads(30_000);
rmSync(dir, { recursive: true, force: true });

console.log('Each append = 1 fact + 3 wire events (one per dialect), ~400 bytes of JSON per event.\n');
console.log('| benchmark | throughput / latency | | notes |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
