/**
 * Webhook outbox backends side by side: SqliteOutbox (synchronous=FULL, temp file) and PostgresOutbox (the
 * local server, a throw-away schema; skipped when none answers). Feed: pages of rows committed with their
 * position, one page at a time as the engine feeds. Acknowledge: rows deleted durably, one at a time (one
 * session's lane) and with 64 in flight (many sessions' lanes). Then the whole engine draining a backlog
 * to a local HTTP receiver over each backend.
 * Run: npm run bench -- webhook-outbox
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { PostgresOutbox } from '../src/store/postgres-outbox.js';
import { PgDatabase } from '../src/store/pg-database.js';
import type { NewOutboxRow, WebhookOutbox } from '../src/store/webhook-outbox.js';
import { SqliteEventLog } from '../src/events/log/sqlite-event-log.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { WebhookEngine } from '../src/delivery/webhooks/webhook-engine.js';
import { pgUnavailable, testSchemaUrl } from '../test/support/pg-test-database.js';

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-outbox-'));
const table: string[][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const payload = JSON.stringify({ event: 'RINGRESULT', session_id: 's', call_id: '1715678467.1842.1', accountcode: 'acme', direction: 'inbound', type: 'standard', phase: 'didtosip', participants: 0, state: 'ANSWER', timestamp: new Date().toISOString() });

interface Backend {
  name: string;
  open(): Promise<WebhookOutbox>;
  close(): Promise<void>;
}

function sqlite(tag: string): Backend {
  let o: SqliteOutbox | undefined;
  return {
    name: 'SQLite',
    open: async () => (o = new SqliteOutbox(join(dir, `${tag}.db`))),
    close: async () => o?.close(),
  };
}

function postgres(): Backend {
  const db = new PgDatabase(testSchemaUrl('rs_bench'));
  let o: PostgresOutbox | undefined;
  return {
    name: 'PostgreSQL',
    open: async () => (o = await PostgresOutbox.open(db)),
    close: async () => {
      await o?.close();
      await db.dropSchema();
      await db.close();
    },
  };
}

const newRow = (n: number, sessions: number): NewOutboxRow => ({ accountId: 'acme', webhookId: 'w1', sessionId: `s${n % sessions}`, eventId: `e${n}`, position: n + 1, dialect: 'teltel', name: 'RINGRESULT', payload });

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** Runs `count` tasks with `width` in flight. */
async function pool(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function outboxFigures(b: Backend, total: number, page: number): Promise<void> {
  const o = await b.open();
  const ids: number[] = [];
  const feedS = await timed(async () => {
    for (let i = 0; i < total; i += page) {
      const rows = Array.from({ length: Math.min(page, total - i) }, (_, j) => newRow(i + j, 100));
      for (const r of await o.feed(rows, i + rows.length)) ids.push(r.id);
    }
  });
  table.push([b.name, `feed, pages of ${page} rows`, `${fmt(total / feedS)} rows/s`, `${fmt((total / page) / feedS)} commits/s`]);
  const one = Math.min(1000, ids.length / 2);
  const oneS = await timed(() => pool(one, 1, (i) => o.acknowledge(ids[i]!)));
  table.push([b.name, 'acknowledge, 1 in flight', `${fmt(one / oneS)} acks/s`, `${((oneS / one) * 1000).toFixed(2)} ms each`]);
  const rest = ids.length - one;
  const manyS = await timed(() => pool(rest, 64, (i) => o.acknowledge(ids[one + i]!)));
  table.push([b.name, 'acknowledge, 64 in flight', `${fmt(rest / manyS)} acks/s`, '']);
  await b.close();
}

/** The engine draining a backlog already in the log, over one backend (feed + deliver + acknowledge). */
async function drain(b: Backend, total: number, sessions: number, port: number, arrivals: { n: number }): Promise<void> {
  const log = new SqliteEventLog(join(dir, `${b.name}-events.db`));
  const store = new SqliteStore(join(dir, `${b.name}-store.db`));
  const outbox = await b.open();
  await store.putWebhook({ id: 'bench', accountId: 'acme', source: 'api', url: `http://127.0.0.1:${port}/hook`, secret: 'bench-secret-1', dialect: 'teltel', method: 'POST', events: [] });
  for (let i = 0; i < total; i += 500)
    await log.append({
      facts: [],
      events: Array.from({ length: Math.min(500, total - i) }, (_, j) => {
        const n = i + j;
        return { dialect: 'teltel', name: 'RINGRESULT', id: `e${n}`, sessionId: `s${n % sessions}`, accountId: 'acme', userIds: [], payload: { event: 'RINGRESULT', session_id: `s${n % sessions}`, seq: n } };
      }),
    });
  arrivals.n = 0;
  const engine = new WebhookEngine({ events: log, store, outbox, startAt: 'beginning', maxConcurrentPerOrigin: 32 });
  const s = await timed(async () => {
    await engine.start();
    while (arrivals.n < total) await new Promise((r) => setTimeout(r, 5));
    while ((await outbox.counts()).pending > 0) await new Promise((r) => setTimeout(r, 5));
  });
  table.push([b.name, `engine drain, ${sessions} sessions, 32 per origin`, `${fmt(total / s)} deliveries/s`, `${fmt(total)} events, until the last ack`]);
  await engine.stop();
  await b.close();
  await log.close();
  await store.close();
}

const skipPg = await pgUnavailable();
const TOTAL = 20_000;
await outboxFigures(sqlite('figures'), TOTAL, 100);
if (!skipPg) await outboxFigures(postgres(), TOTAL, 100);

const arrivals = { n: 0 };
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    arrivals.n++;
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
await drain(sqlite('drain'), 5000, 100, port, arrivals);
if (!skipPg) await drain(postgres(), 5000, 100, port, arrivals);
server.close();
rmSync(dir, { recursive: true, force: true });

console.log(`${fmt(TOTAL)} rows of ~300 bytes, 100 sessions. SQLite synchronous=FULL (temp file); PostgreSQL local server, default synchronous_commit=on, pool of 10.${skipPg ? ` PostgreSQL ${skipPg}` : ''}\n`);
console.log('| backend | operation | throughput | notes |');
console.log('|---|---|---|---|');
for (const r of table) console.log(`| ${r.join(' | ')} |`);
