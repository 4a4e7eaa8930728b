/**
 * The embedded event log: SQLite in WAL mode; a resolved append has reached the disk. Writes run on the
 * log's writer thread (log-writer-worker.ts: projection, inserts and fsync off the SIP loop), one transaction at a
 * time: appends made while one is being written wait and go together in the next (group commit, up to
 * `maxBatch` facts+events). Only once a transaction is committed and fsynced do its appends resolve and
 * live subscribers hear of them, in position order. Reads use this thread's own connection and see only
 * entries already durable (history, catch-up, cursors).
 */
import { takeGroup } from './append-group.js';
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import type { Fact } from '../model/facts.js';
import { matches, type AppendBatch, type EventFilter, type EventLog, type LogEntry, type SubscribeOptions, type Subscription } from './event-log.js';
import type { WireEntry, WriteReply, WriteRequest } from './log-writer.js';
import type { LogWriterWorkerData } from './log-writer-worker.js';
import { logEntry } from './log-entry.js';
import type { Logger } from '../../log/logger.js';
import { startWorker } from '../../util/worker-thread.js';
import { LogClosedError } from './errors.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS facts (
  position INTEGER PRIMARY KEY, session_id TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS facts_session ON facts(session_id, position);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, started_at INTEGER NOT NULL, ended_at INTEGER);
CREATE INDEX IF NOT EXISTS sessions_open ON sessions(ended_at) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS sessions_ended ON sessions(ended_at) WHERE ended_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, dialect TEXT NOT NULL, name TEXT NOT NULL,
  session_id TEXT NOT NULL, account_id TEXT NOT NULL, user_ids TEXT NOT NULL, route TEXT,
  logged_at INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_account ON events(account_id, position);
CREATE INDEX IF NOT EXISTS events_session ON events(session_id, position);
`;

interface Pending {
  batch: AppendBatch;
  resolve(entries: LogEntry[]): void;
  reject(err: Error): void;
}

interface Sub {
  options: SubscribeOptions;
  /** Highest position delivered; entries at or below it are never delivered again. */
  delivered: number;
  live: boolean;
  buffer: LogEntry[];
  closed: boolean;
}

export interface SqliteEventLogOptions {
  /** Upper bound on facts+events per transaction. */
  maxBatch?: number;
  /** `FULL` (default): every commit is fsynced before its appends resolve (off the event loop);
   *  `NORMAL`: no fsync, trading the last commits on power loss for speed (tests, benchmarks). */
  synchronous?: 'FULL' | 'NORMAL';
  /** URL of the projection module the writer thread runs on every append's facts (projection.ts). */
  projection?: string;
  /** Where failures the projection survived are reported. */
  logger?: Logger;
}

type Row = { position: number; id: string; dialect: string; name: string; session_id: string; account_id: string; user_ids: string; route: string | null; logged_at: number; payload: string };

export class SqliteEventLog implements EventLog {
  readonly #db: Database.Database;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #subs = new Set<Sub>();
  #closed = false;
  /** Highest position durable and published: what readers may see. */
  #durable = 0;
  readonly #writer: Worker;
  #ready = false;
  /** Set once the writer thread is gone: every append from then on fails with it. */
  #broken: Error | undefined;
  /** The transaction the writer is on (one at a time: the next group gathers meanwhile). */
  #inFlight: { seq: number; group: Pending[] } | undefined;
  #seq = 0;
  #idle: (() => void)[] = [];
  #closedByWriter: (() => void) | undefined;
  readonly #synchronous: 'FULL' | 'NORMAL';
  readonly #logger: Logger | undefined;
  /** Projection options not yet sent to the writer (they go with the next request). */
  #projectionOptions: unknown;

  constructor(file: string, options: SqliteEventLogOptions = {}) {
    this.#maxBatch = options.maxBatch ?? 5000;
    this.#synchronous = options.synchronous ?? 'FULL';
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    // This connection only reads (and creates the schema); the writer thread's commits fsync.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#durable = (this.#db.prepare('SELECT max(position) AS p FROM events').get() as { p: number | null }).p ?? 0;
    this.#logger = options.logger;
    const data: LogWriterWorkerData = { file, synchronous: this.#synchronous, ...(options.projection ? { projectionModule: options.projection } : {}) };
    this.#writer = startWorker(import.meta.url, 'log-writer-worker', data);
    this.#writer.unref();
    this.#writer.on('message', (m: WriteReply | 'ready' | 'closed') => {
      if (m === 'ready') {
        this.#ready = true;
        this.#flush();
      } else if (m === 'closed') this.#closedByWriter?.();
      else this.#onReply(m);
    });
    this.#writer.on('error', (err) => this.#fail(new Error(`event log writer failed: ${err.message}`)));
    this.#writer.on('exit', (code) => this.#fail(new Error(`event log writer exited (code ${code})`)));
  }

  /** Options of the projection for sessions started from now on (before any fact that needs them). */
  configureProjection(options: unknown): void {
    this.#projectionOptions = options;
  }

  append(batch: AppendBatch): Promise<LogEntry[]> {
    if (this.#closed) return Promise.reject(new LogClosedError());
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      this.#pending.push({ batch, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#writer.ref(); // an append not yet durable keeps the process alive
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Sends the next group to the writer unless it is busy with one (its reply sends the next). */
  #flush(): void {
    this.#flushScheduled = false;
    if (!this.#ready || this.#inFlight || this.#broken || this.#pending.length === 0) return;
    const group = takeGroup(this.#pending, this.#maxBatch);
    const req: WriteRequest = { seq: ++this.#seq, batches: group.map((p) => ({ facts: p.batch.facts, events: p.batch.events ?? [] })) };
    if (this.#projectionOptions !== undefined) {
      req.projectionOptions = this.#projectionOptions;
      this.#projectionOptions = undefined;
    }
    this.#inFlight = { seq: req.seq, group };
    this.#writer.postMessage(req);
  }

  #onReply(reply: WriteReply): void {
    const inFlight = this.#inFlight;
    if (!inFlight || inFlight.seq !== reply.seq) return;
    this.#inFlight = undefined;
    this.#commits++;
    this.#appends += inFlight.group.length;
    for (const e of reply.projectionErrors ?? []) this.#logger?.error({ sessionId: e.sessionId, fact: e.fact, err: e.message }, 'projection failed');
    const published: LogEntry[] = [];
    inFlight.group.forEach((p, i) => {
      const r = reply.results[i];
      if (!r || 'error' in r) return p.reject(new Error(r?.error ?? 'the event log writer gave no result for this append'));
      const entries = r.entries.map((w) => fromWire(w, reply.loggedAt));
      for (const e of entries) this.#durable = Math.max(this.#durable, e.position);
      published.push(...entries);
      p.resolve(entries);
    });
    for (const e of published) this.#publish(e);
    if (this.#pending.length > 0) return this.#flush();
    if (!this.#flushScheduled) this.#writer.unref();
    this.#idle.splice(0).forEach((f) => f());
  }

  /** The writer thread failed or exited: whatever waits on it fails (a close waiting on it ends). */
  #fail(err: Error): void {
    this.#closedByWriter?.();
    if (this.#broken) return;
    this.#broken = err;
    const waiting = [...(this.#inFlight?.group ?? []), ...this.#pending.splice(0)];
    this.#inFlight = undefined;
    for (const p of waiting) p.reject(err);
    this.#idle.splice(0).forEach((f) => f());
  }

  /** Counters for health checks and the benchmark. */
  get stats(): { commits: number; appends: number; fsyncs: number } {
    return { commits: this.#commits, appends: this.#appends, fsyncs: this.#synchronous === 'FULL' ? this.#commits : 0 };
  }

  #commits = 0;
  #appends = 0;

  get backlog(): number {
    return this.#pending.length + (this.#inFlight?.group.length ?? 0);
  }

  #publish(entry: LogEntry): void {
    for (const s of this.#subs) {
      if (s.closed || !matches(s.options.filter, entry)) continue;
      if (!s.live) s.buffer.push(entry);
      else this.#deliver(s, entry);
    }
  }

  #deliver(s: Sub, entry: LogEntry): void {
    if (entry.position <= s.delivered || s.closed) return;
    s.delivered = entry.position;
    try {
      s.options.onEntry(entry);
    } catch {
      // A subscriber that throws must not break the log or other subscribers (delivery handles its errors).
    }
  }

  async read(after: number, filter: EventFilter, limit: number): Promise<LogEntry[]> {
    return this.#readSync(after, filter, limit);
  }

  #readSync(after: number, filter: EventFilter, limit: number): LogEntry[] {
    const where = ['position > ?', 'position <= ?'];
    const args: unknown[] = [after, this.#durable];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    const list = (xs: readonly string[]) => xs.map(() => '?').join(',') || "''";
    if (filter.accountId !== undefined) add('account_id = ?', filter.accountId);
    if (filter.sessionId !== undefined) add('session_id = ?', filter.sessionId);
    if (filter.userId !== undefined) add('EXISTS (SELECT 1 FROM json_each(user_ids) WHERE value = ?)', filter.userId);
    if (filter.dialects !== undefined) add(`dialect IN (${list(filter.dialects)})`, ...filter.dialects);
    if (filter.names !== undefined) add(`name IN (${list(filter.names)})`, ...filter.names);
    const rows = this.#db.prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`).all(...args, limit) as Row[];
    return rows.map(toEntry);
  }

  async positionOf(eventId: string): Promise<number | undefined> {
    const row = this.#db.prepare('SELECT position FROM events WHERE id = ?').get(eventId) as { position: number } | undefined;
    return row && row.position <= this.#durable ? row.position : undefined;
  }

  async sessionFacts(sessionId: string): Promise<Fact[]> {
    const rows = this.#db.prepare('SELECT body FROM facts WHERE session_id = ? ORDER BY position').all(sessionId) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Fact);
  }

  async openSessions(): Promise<string[]> {
    const rows = this.#db.prepare('SELECT session_id FROM sessions WHERE ended_at IS NULL ORDER BY started_at').all() as { session_id: string }[];
    return rows.map((r) => r.session_id);
  }

  async endedSessions(sinceMs: number): Promise<string[]> {
    const rows = this.#db.prepare('SELECT session_id FROM sessions WHERE ended_at >= ? ORDER BY ended_at').all(sinceMs) as { session_id: string }[];
    return rows.map((r) => r.session_id);
  }

  async lastPosition(): Promise<number> {
    return this.#durable;
  }

  subscribe(options: SubscribeOptions): Subscription {
    const sub: Sub = { options, delivered: 0, live: options.after === undefined, buffer: [], closed: false };
    this.#subs.add(sub);
    if (options.after === undefined) {
      sub.delivered = this.#durable;
      queueMicrotask(() => options.onLive?.());
    } else {
      sub.delivered = options.after;
      this.#catchUp(sub);
    }
    return {
      close: () => {
        sub.closed = true;
        this.#subs.delete(sub);
      },
    };
  }

  /** Replays the backlog page by page, yielding between pages so a long backlog does not stall the
   *  process; entries committed meanwhile wait in the buffer and are delivered after, without duplicates. */
  #catchUp(sub: Sub): void {
    const page = () => {
      if (sub.closed || this.#closed) return;
      const rows = this.#readSync(sub.delivered, sub.options.filter, 500);
      for (const e of rows) this.#deliver(sub, e);
      if (rows.length === 500) return void setImmediate(page);
      sub.live = true;
      const buffered = sub.buffer;
      sub.buffer = [];
      for (const e of buffered) this.#deliver(sub, e);
      sub.options.onLive?.();
    };
    setImmediate(page);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Everything appended before close is written first.
    if (!this.#broken && (this.#inFlight || this.#pending.length > 0)) {
      await new Promise<void>((resolve) => {
        this.#idle.push(resolve);
        this.#flush();
      });
    }
    for (const s of this.#subs) s.closed = true;
    this.#subs.clear();
    if (!this.#broken) {
      this.#writer.ref();
      await new Promise<void>((resolve) => {
        this.#closedByWriter = resolve;
        this.#writer.postMessage('close');
      });
    }
    this.#writer.removeAllListeners('exit');
    await this.#writer.terminate();
    this.#db.close();
  }
}

function fromWire([position, id, dialect, name, sessionId, accountId, userIds, route, payloadJson]: WireEntry, loggedAt: number): LogEntry {
  return logEntry(route ? { position, id, dialect, name, sessionId, accountId, userIds, route, loggedAt, payloadJson } : { position, id, dialect, name, sessionId, accountId, userIds, loggedAt, payloadJson });
}

function toEntry(r: Row): LogEntry {
  return logEntry({
    position: r.position,
    id: r.id,
    dialect: r.dialect,
    name: r.name,
    sessionId: r.session_id,
    accountId: r.account_id,
    userIds: JSON.parse(r.user_ids) as string[],
    ...(r.route !== null ? { route: JSON.parse(r.route) as LogEntry['route'] & object } : {}),
    loggedAt: r.logged_at,
    payloadJson: r.payload,
  });
}
