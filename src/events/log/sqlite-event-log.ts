/**
 * The embedded event log: SQLite in WAL mode; a resolved append has reached the disk. Appends are
 * group-committed: every append made in the same turn of the event loop (up to `maxBatch` facts+events)
 * is written in one transaction; the WAL is then fsynced on the thread pool (util/wal-fsync.ts, so the
 * SIP loop never waits in fsync), and only then do their promises resolve and live subscribers hear of
 * them, in position order. Readers (history, catch-up, cursors) see only entries already durable.
 */
import Database from 'better-sqlite3';
import type { Fact } from '../model/facts.js';
import { matches, type AppendBatch, type EventFilter, type EventLog, type LogEntry, type SubscribeOptions, type Subscription } from './event-log.js';
import { WalFsync } from '../../util/wal-fsync.js';
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
}

type Row = { position: number; id: string; dialect: string; name: string; session_id: string; account_id: string; user_ids: string; route: string | null; logged_at: number; payload: string };

export class SqliteEventLog implements EventLog {
  readonly #db: Database.Database;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #subs = new Set<Sub>();
  #closed = false;
  readonly #fsync: WalFsync | undefined;
  /** Highest position durable and published: what readers may see. */
  #durable = 0;
  /** Commits waiting for their fsync, resolved strictly in order. */
  #tail: Promise<void> = Promise.resolve();
  /** Appends committed whose fsync has not finished. */
  #unsynced = 0;
  readonly #insertFact: Database.Statement;
  readonly #insertEvent: Database.Statement;
  readonly #startSession: Database.Statement;
  readonly #endSession: Database.Statement;

  constructor(file: string, options: SqliteEventLogOptions = {}) {
    this.#maxBatch = options.maxBatch ?? 5000;
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit does not fsync; WalFsync does it off the loop (FULL semantics).
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    if ((options.synchronous ?? 'FULL') === 'FULL') this.#fsync = new WalFsync(file);
    this.#durable = (this.#db.prepare('SELECT max(position) AS p FROM events').get() as { p: number | null }).p ?? 0;
    this.#insertFact = this.#db.prepare('INSERT INTO facts (session_id, type, at, body) VALUES (?, ?, ?, ?)');
    this.#insertEvent = this.#db.prepare(
      'INSERT OR IGNORE INTO events (id, dialect, name, session_id, account_id, user_ids, route, logged_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#startSession = this.#db.prepare('INSERT OR IGNORE INTO sessions (session_id, started_at) VALUES (?, ?)');
    this.#endSession = this.#db.prepare('UPDATE sessions SET ended_at = ? WHERE session_id = ?');
  }

  append(batch: AppendBatch): Promise<LogEntry[]> {
    if (this.#closed) return Promise.reject(new LogClosedError());
    return new Promise((resolve, reject) => {
      this.#pending.push({ batch, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Writes everything pending in as few transactions as maxBatch allows. */
  #flush(): void {
    this.#flushScheduled = false;
    while (this.#pending.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      while (this.#pending.length > 0 && (group.length === 0 || size < this.#maxBatch)) {
        const p = this.#pending.shift()!;
        group.push(p);
        size += p.batch.facts.length + p.batch.events.length;
      }
      try {
        this.#commit(group);
      } catch {
        // One bad batch must not fail the others that shared its transaction: retry them one by one.
        for (const p of group) {
          try {
            this.#commit([p]);
          } catch (err) {
            p.reject(err as Error);
          }
        }
      }
    }
  }

  /** Counters for health checks and the benchmark. */
  get stats(): { commits: number; appends: number; fsyncs: number } {
    return { commits: this.#commits, appends: this.#appends, fsyncs: this.#fsync?.syncs ?? 0 };
  }

  #commits = 0;
  #appends = 0;

  get backlog(): number {
    return this.#pending.length + this.#unsynced;
  }

  #commit(group: Pending[]): void {
    const results = this.#write(group);
    this.#commits++;
    this.#appends += group.length;
    this.#unsynced += group.length;
    // Settle now (no unhandled rejection while earlier commits wait), act in commit order.
    const fsynced = (this.#fsync ? this.#fsync.sync() : Promise.resolve()).then(() => undefined, (err: Error) => err);
    this.#tail = this.#tail
      .then(() => fsynced)
      .then((err) => {
        this.#unsynced -= group.length;
        if (err) return group.forEach((p) => p.reject(err));
        for (const entries of results) for (const e of entries) this.#durable = Math.max(this.#durable, e.position);
        group.forEach((p, i) => p.resolve(results[i]!));
        for (const entries of results) for (const e of entries) this.#publish(e);
      });
  }

  #write(group: Pending[]): LogEntry[][] {
    const now = Date.now();
    return this.#db.transaction(() =>
      group.map(({ batch }) => {
        for (const f of batch.facts) {
          this.#insertFact.run(f.sessionId, f.type, f.at, JSON.stringify(f));
          if (f.type === 'session.started') this.#startSession.run(f.sessionId, f.at);
          else if (f.type === 'session.ended') this.#endSession.run(f.at, f.sessionId);
        }
        const entries: LogEntry[] = [];
        for (const e of batch.events) {
          const r = this.#insertEvent.run(e.id, e.dialect, e.name, e.sessionId, e.accountId, JSON.stringify(e.userIds), e.route ? JSON.stringify(e.route) : null, now, JSON.stringify(e.payload));
          if (r.changes === 1) entries.push({ ...e, position: Number(r.lastInsertRowid), loggedAt: now });
        }
        return entries;
      }),
    )();
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
    this.#flush();
    this.#closed = true;
    await this.#tail;
    await this.#fsync?.close();
    for (const s of this.#subs) s.closed = true;
    this.#subs.clear();
    this.#db.close();
  }
}

function toEntry(r: Row): LogEntry {
  const e: LogEntry = {
    position: r.position,
    id: r.id,
    dialect: r.dialect,
    name: r.name,
    sessionId: r.session_id,
    accountId: r.account_id,
    userIds: JSON.parse(r.user_ids) as string[],
    loggedAt: r.logged_at,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  };
  if (r.route !== null) e.route = JSON.parse(r.route) as LogEntry['route'] & object;
  return e;
}
