/**
 * Webhook delivery: deliveries per second to a local receiver, and latency from append (to the event log)
 * to arrival at the receiver. Real SqliteEventLog + SqliteOutbox (synchronous=FULL), real HTTP over
 * loopback; the receiver answers 200 at once and runs in the same process (it shares the event loop, so
 * the figures are a floor for a receiver on another machine).
 * Run: npm run bench -- webhook
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '../src/events/log/sqlite-event-log.js';
import type { LoggedEvent } from '../src/events/log/event-log.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { WebhookEngine } from '../src/delivery/webhooks/webhook-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-webhooks-'));
const rows: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

let arrivals: { id: string; at: number }[] = [];
const server = createServer((req, res) => {
  const id = String(req.headers['x-ringside-event-id']);
  req.resume();
  req.on('end', () => {
    arrivals.push({ id, at: performance.now() });
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

function event(n: number, sessions: number): LoggedEvent {
  const sessionId = `s${n % sessions}`;
  return {
    dialect: 'teltel',
    name: 'RINGRESULT',
    id: `e${n}`,
    sessionId,
    accountId: 'acme',
    userIds: [],
    payload: { event: 'RINGRESULT', session_id: sessionId, call_id: '1715678467.1842.1', accountcode: 'acme', direction: 'inbound', type: 'standard', phase: 'didtosip', participants: 0, state: 'ANSWER', seq: n, timestamp: new Date().toISOString() },
  };
}

async function setup(name: string, perOrigin: number) {
  const log = new SqliteEventLog(join(dir, `${name}-events.db`));
  const store = new SqliteStore(join(dir, `${name}-ringside.db`));
  const outbox = new SqliteOutbox(join(dir, `${name}-ringside.db`));
  await store.putWebhook({ id: 'bench', accountId: 'acme', source: 'api', url: `http://127.0.0.1:${port}/hook`, secret: 'bench-secret-1', dialect: 'teltel', method: 'POST', events: [] });
  const engine = new WebhookEngine({ events: log, store, outbox, maxConcurrentPerOrigin: perOrigin, startAt: 'beginning' });
  return {
    log,
    engine,
    async close() {
      await engine.stop();
      await outbox.close();
      await log.close();
      await store.close();
    },
  };
}

async function waitFor(n: number): Promise<void> {
  while (arrivals.length < n) await new Promise((r) => setTimeout(r, 5));
}

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/** A backlog already in the log, drained by a freshly started engine. */
async function drain(total: number, sessions: number, perOrigin: number): Promise<void> {
  const b = await setup(`drain-${sessions}-${perOrigin}`, perOrigin);
  for (let i = 0; i < total; i += 500) await b.log.append({ facts: [], events: Array.from({ length: Math.min(500, total - i) }, (_, j) => event(i + j, sessions)) });
  arrivals = [];
  const t0 = performance.now();
  await b.engine.start();
  await waitFor(total);
  const s = (performance.now() - t0) / 1000;
  rows.push([`backlog drain, ${sessions} sessions, ${perOrigin} per origin`, `${fmt(total / s)} deliveries/s`, '', `${fmt(total)} events (feed + deliver + ack)`]);
  await b.close();
}

/** Events appended live at a steady rate; latency from the append call to arrival at the receiver. */
async function live(total: number, sessions: number, perOrigin: number, ratePerSecond: number): Promise<void> {
  const b = await setup(`live-${sessions}-${perOrigin}-${ratePerSecond}`, perOrigin);
  await b.engine.start();
  arrivals = [];
  const appendedAt = new Map<string, number>();
  const t0 = performance.now();
  const burst = Math.max(1, Math.round(ratePerSecond / 100));
  for (let i = 0; i < total; i += burst) {
    const evs = Array.from({ length: Math.min(burst, total - i) }, (_, j) => event(i + j, sessions));
    const at = performance.now();
    for (const e of evs) appendedAt.set(e.id, at);
    void b.log.append({ facts: [], events: evs });
    const due = t0 + ((i + burst) / ratePerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await waitFor(total);
  const s = (performance.now() - t0) / 1000;
  const lat = arrivals.map((a) => a.at - appendedAt.get(a.id)!);
  rows.push([
    `live, offered ${fmt(ratePerSecond)} events/s, ${sessions} sessions, ${perOrigin} per origin`,
    `${fmt(total / s)} deliveries/s`,
    `p50 ${quantile(lat, 0.5).toFixed(1)} ms, p99 ${quantile(lat, 0.99).toFixed(1)} ms`,
    `${fmt(total)} events, append → arrival`,
  ]);
  await b.close();
}

await drain(10_000, 100, 8);
await drain(10_000, 100, 32);
await drain(2_000, 1, 8);
await live(3_000, 50, 8, 200);
await live(10_000, 100, 8, 1000);
await live(10_000, 100, 32, 2000);

server.close();
rmSync(dir, { recursive: true, force: true });

console.log('One subscription (teltel, signed), POST of ~300-byte JSON, receiver answers 200 at once. Outbox and log synchronous=FULL.\n');
console.log('| benchmark | throughput | latency | notes |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
