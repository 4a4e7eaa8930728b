/**
 * Test support for webhook delivery: a real HTTP receiver on loopback (node:http, ephemeral port) whose
 * answers a test scripts, and a harness with a real SqliteEventLog, SqliteStore and SqliteOutbox in a temp
 * dir. Events are appended to the log as the fact recorder would, so the engine is proven end to end
 * without the switch.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import type { LoggedEvent } from '../../src/events/log/event-log.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { WebhookRecord } from '../../src/store/store.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { WebhookEngine, type WebhookEngineOptions } from '../../src/delivery/webhooks/webhook-engine.js';

export interface Received {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  eventId: string;
  /** ms since the epoch when the request ended. */
  at: number;
  /** How many requests this receiver had seen for this event id before this one. */
  seen: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type Behaviour = (r: Received) => Answer | undefined;

type T = { after(fn: () => unknown): void };

export class Receiver {
  readonly requests: Received[] = [];
  /** Requests answered with 2xx, in the order answered. */
  readonly acked: Received[] = [];
  behaviour: Behaviour = () => undefined;
  active = 0;
  maxActive = 0;
  #server?: Server;
  #sockets = new Set<Socket>();
  #counts = new Map<string, number>();
  #waiters: (() => void)[] = [];

  private constructor(public port: number) {}

  static async start(t: T, port = 0): Promise<Receiver> {
    const r = new Receiver(port);
    await r.listen();
    t.after(() => r.close());
    return r;
  }

  /** A port that nothing listens on (connection refused) until `listen()` is called on a receiver made with it. */
  static async freePort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as { port: number }).port;
    await new Promise((resolve) => s.close(resolve));
    return port;
  }

  static unstarted(port: number, t: T): Receiver {
    const r = new Receiver(port);
    t.after(() => r.close());
    return r;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const eventId = String(req.headers['x-ringside-event-id'] ?? '');
    const seen = this.#counts.get(eventId) ?? 0;
    this.#counts.set(eventId, seen + 1);
    const r: Received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), eventId, at: Date.now(), seen };
    this.requests.push(r);
    const answer = this.behaviour(r) ?? {};
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    this.active--;
    const status = answer.status ?? 200;
    if (res.destroyed) return;
    res.writeHead(status, answer.headers ?? {});
    res.end('ok');
    if (status >= 200 && status < 300) this.acked.push(r);
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Stops listening and drops open connections (the next request is refused). */
  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    for (const sock of this.#sockets) sock.destroy();
    await new Promise((resolve) => s.close(resolve));
  }

  /** Distinct event ids answered with 2xx. */
  ackedIds(): Set<string> {
    return new Set(this.acked.map((r) => r.eventId));
  }

  count(eventId: string): number {
    return this.#counts.get(eventId) ?? 0;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (requests: ${this.requests.length}, acked: ${this.acked.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}

export function tempDir(t: T, prefix = 'ringside-webhooks-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A wire event as a dialect would project it (payload shape illustrative, teltel-like by default). */
export function wireEvent(sessionId: string, seq: number, opts: { dialect?: string; name?: string; accountId?: string; userIds?: string[]; payload?: Record<string, unknown> } = {}): LoggedEvent {
  const name = opts.name ?? (seq === 0 ? 'START' : 'RING');
  return {
    dialect: opts.dialect ?? 'teltel',
    name,
    id: `${sessionId}-${opts.dialect ?? 'teltel'}-${seq}`,
    sessionId,
    accountId: opts.accountId ?? 'acme',
    userIds: opts.userIds ?? [],
    payload: opts.payload ?? { event: name, session_id: sessionId, seq, accountcode: 'acme', note: 'Grüße "quoted" ✓', timestamp: new Date().toISOString() },
  };
}

export function seqOf(r: Received): number {
  return (JSON.parse(r.body) as { seq: number }).seq;
}

export interface Harness {
  dir: string;
  log: SqliteEventLog;
  store: SqliteStore;
  outbox: SqliteOutbox;
  engine: WebhookEngine;
  /** A new engine over the same log, store and outbox (after `engine.stop()`). */
  restart(options?: Partial<WebhookEngineOptions>): Promise<WebhookEngine>;
  append(events: LoggedEvent[]): Promise<void>;
  hook(h: Partial<WebhookRecord> & { url: string }): Promise<WebhookRecord>;
  /** Waits until the outbox has these counts (acknowledgements commit just after the receiver answers). */
  settled(expected?: { pending: number; dead: number }, timeoutMs?: number): Promise<void>;
}

/** Fast retry settings so retry tests take milliseconds. */
export const FAST: Partial<WebhookEngineOptions> = { initialDelayMs: 20, factor: 2, maxDelayMs: 200, giveUpAfterMs: 60_000, requestTimeoutMs: 2000, stopGraceMs: 1000, subscriptionCacheMs: 50 };

export async function harness(t: T, options: Partial<WebhookEngineOptions> = {}, start = true): Promise<Harness> {
  const dir = tempDir(t);
  const log = new SqliteEventLog(join(dir, 'events.db'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  const outbox = new SqliteOutbox(join(dir, 'ringside.db'));
  const opts = { events: log, store, outbox, ...FAST, ...options };
  const h: Harness = {
    dir,
    log,
    store,
    outbox,
    engine: new WebhookEngine(opts),
    async restart(more = {}) {
      h.engine = new WebhookEngine({ ...opts, ...more });
      await h.engine.start();
      return h.engine;
    },
    async append(events) {
      await log.append({ facts: [], events });
    },
    async settled(expected = { pending: 0, dead: 0 }, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await outbox.counts();
        if (c.pending === expected.pending && c.dead === expected.dead) return;
        if (Date.now() > deadline) throw new Error(`outbox did not settle: ${JSON.stringify(c)}, expected ${JSON.stringify(expected)}`);
        await sleep(10);
      }
    },
    async hook(w) {
      const rec: WebhookRecord = { id: 'hook1', accountId: 'acme', source: 'api', dialect: 'teltel', method: 'POST', events: [], ...w };
      await store.putWebhook(rec);
      h.engine.invalidate(rec.accountId);
      return rec;
    },
  };
  t.after(async () => {
    await h.engine.stop();
    await outbox.close();
    await log.close();
    await store.close();
  });
  if (start) await h.engine.start();
  return h;
}

/** Asserts per-session order of first receipt and returns the sessions' sequences. */
export function sequencesBySession(requests: readonly Received[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of requests) {
    const b = JSON.parse(r.body) as { session_id: string; seq: number };
    const list = out.get(b.session_id) ?? [];
    list.push(b.seq);
    out.set(b.session_id, list);
  }
  return out;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
