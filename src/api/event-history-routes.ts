/**
 * Event history over REST and Server-Sent Events (docs/webhooks.md, "Event history"): any dialect's wire
 * events of the principal's account, from a cursor (the log position), so a client that missed webhooks or
 * was offline can catch up and resume.
 *
 * - `GET /events?dialect=&after=&limit=&session_id=&name=` → `{events:[{position,…,payload}], next, more}`.
 * - `GET /events/stream?dialect=&after=&session_id=&name=` → `text/event-stream`: `id:` = position,
 *   `event:` = event name, `data:` = the payload JSON. `Last-Event-ID` (sent by EventSource on reconnect)
 *   takes precedence over `after`; with neither, the stream starts live. Keep-alive comments every
 *   `keepAliveMs`. Backlog is sent at the client's pace; once live, a client that falls more than
 *   `maxBufferBytes` behind is sent an `: error` comment and disconnected (it resumes with Last-Event-ID).
 *
 * Visibility: elevated principals see the whole account; other users see events whose audience includes
 * them (the realtime user-stream rule, ARCHITECTURE.md "Delivery guarantees").
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { EventFilter, EventLog, LogEntry, Subscription } from '../events/log/event-log.js';
import type { Store } from '../store/store.js';
import { hasElevatedRole, type Principal } from './authenticate.js';
import { authHook, fail, principalOf, strictSchema } from './webhook-routes.js';

export interface EventHistoryDeps {
  store: Store;
  log: EventLog;
  /** Interval of SSE keep-alive comments, default 15 000 ms. */
  keepAliveMs?: number;
  /** Bytes an SSE client may fall behind once live before it is disconnected, default 1 MiB. */
  maxBufferBytes?: number;
}

const baseQuery = {
  dialect: { enum: ['realtime', 'teltel', 'bandwidth'] },
  after: { type: 'integer', minimum: 0 },
  session_id: { type: 'string', minLength: 1, maxLength: 128 },
  name: { type: 'string', minLength: 1, maxLength: 2000, description: 'event name, or several separated by commas' },
} as const;

type Query = { dialect?: string; after?: number; limit?: number; session_id?: string; name?: string };

function filterFor(p: Principal, q: Query): EventFilter {
  const f: EventFilter = { accountId: p.accountId };
  if (p.kind === 'user' && !hasElevatedRole(p)) f.userId = String(p.user.id);
  if (q.dialect) f.dialects = [q.dialect];
  if (q.session_id) f.sessionId = q.session_id;
  if (q.name) f.names = q.name.split(',').map((n) => n.trim()).filter(Boolean);
  return f;
}

function view(e: LogEntry) {
  return { position: e.position, id: e.id, dialect: e.dialect, name: e.name, sessionId: e.sessionId, loggedAt: new Date(e.loggedAt).toISOString(), payload: e.payload };
}

export function registerEventHistoryRoutes(app: FastifyInstance, deps: EventHistoryDeps): void {
  const { store, log } = deps;
  const keepAliveMs = deps.keepAliveMs ?? 15_000;
  const maxBuffer = deps.maxBufferBytes ?? 1024 * 1024;
  const streams = new Set<SseStream>();
  const auth = { onRequest: authHook(store, false) };

  app.get(
    '/events',
    { ...auth, ...strictSchema({ querystring: { type: 'object', additionalProperties: false, properties: { ...baseQuery, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } } }) },
    async (req) => {
      const q = req.query as Query;
      const after = q.after ?? 0;
      const limit = q.limit ?? 100;
      const events = await log.read(after, filterFor(principalOf(req), q), limit);
      return { success: true, events: events.map(view), next: events.at(-1)?.position ?? after, more: events.length === limit };
    },
  );

  app.get('/events/stream', { ...auth, ...strictSchema({ querystring: { type: 'object', additionalProperties: false, properties: baseQuery } }) }, async (req, reply) => {
    const q = req.query as Query;
    let after = q.after;
    const lastEventId = req.headers['last-event-id'];
    if (typeof lastEventId === 'string' && lastEventId.trim() !== '') {
      if (!/^\d+$/.test(lastEventId.trim())) return fail(reply, 400, 'bad_request', `Last-Event-ID '${lastEventId}' is not a position (a non-negative integer)`);
      after = Number(lastEventId.trim());
    }
    const filter = filterFor(principalOf(req), q);
    const start = after ?? (await log.lastPosition());
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`: ringside event stream from position ${start}\nretry: 2000\n\n`);
    const stream = new SseStream(res, log, filter, start, keepAliveMs, maxBuffer, () => streams.delete(stream));
    streams.add(stream);
    void stream.run();
  });

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', (done) => {
    for (const s of streams) s.close(': server shutting down\n\n');
    done();
  });
}

class SseStream {
  #closed = false;
  #sent: number;
  #sub?: Subscription;
  #keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly log: EventLog,
    private readonly filter: EventFilter,
    after: number,
    keepAliveMs: number,
    private readonly maxBuffer: number,
    private readonly onClosed: () => void,
  ) {
    this.#sent = after;
    res.on('close', () => this.#cleanup());
    this.#keepAlive = setInterval(() => this.#closed || res.write(': keep-alive\n\n'), keepAliveMs);
  }

  /** Backlog at the client's pace (waiting for 'drain'), then live from the last position sent. */
  async run(): Promise<void> {
    try {
      for (;;) {
        if (this.#closed) return;
        const page = await this.log.read(this.#sent, this.filter, 200);
        if (page.length === 0) break;
        for (const e of page) if (!this.#write(e)) await this.#drain();
      }
      if (this.#closed) return;
      this.#sub = this.log.subscribe({
        filter: this.filter,
        after: this.#sent,
        onEntry: (e) => {
          if (this.#closed || e.position <= this.#sent) return;
          this.#write(e);
          if (this.res.writableLength > this.maxBuffer) this.close(`: error: client too slow, more than ${this.maxBuffer} bytes buffered; reconnect with Last-Event-ID: ${this.#sent}\n\n`);
        },
      });
    } catch {
      this.close(': error: the event log is unavailable\n\n');
    }
  }

  #write(e: LogEntry): boolean {
    this.#sent = e.position;
    return this.res.write(`id: ${e.position}\nevent: ${e.name}\ndata: ${JSON.stringify(e.payload)}\n\n`);
  }

  #drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  close(comment: string): void {
    if (this.#closed) return;
    this.#cleanup();
    this.res.end(comment);
    // A client that reads nothing would hold the socket: drop it if the goodbye cannot be flushed.
    setTimeout(() => this.res.destroy(), 2000).unref();
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sub?.close();
    clearInterval(this.#keepAlive);
    this.onClosed();
  }
}
