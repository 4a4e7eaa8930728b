/**
 * The webhook outbox (webhook-outbox.ts) in SQLite: two tables, `webhook_outbox` (one row per (event,
 * subscription), pending or dead) and `webhook_feed` (the fed log position). Rows and the fed position are
 * written in one transaction, so after a restart feeding resumes exactly where it stopped (nothing fed
 * twice, nothing skipped). An acknowledged row is deleted in a durable commit before its session's next
 * event is sent.
 *
 * Writes made in the same turn of the event loop share one transaction and one fsync (group commit, as in
 * sqlite-event-log.ts); the fsync runs off the event loop (util/wal-fsync.ts) and a write resolves after it. The tables live beside the store's (pass the store's database file) or in their
 * own file.
 */
import Database from 'better-sqlite3';
import { StatementCache } from './statement-cache.js';
import { WalFsync } from '../util/wal-fsync.js';
import { OutboxClosedError, replayAllDeadLetters, type AttemptRecord, type DeadLetterQuery, type NewOutboxRow, type OutboxRow, type OutboxState, type WebhookOutbox } from './webhook-outbox.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL, webhook_id TEXT NOT NULL,
  session_id TEXT NOT NULL, event_id TEXT NOT NULL, position INTEGER NOT NULL, dialect TEXT NOT NULL,
  name TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL, first_attempt_at INTEGER,
  last_attempt_at INTEGER, last_status INTEGER, last_error TEXT, dead_at INTEGER);
CREATE INDEX IF NOT EXISTS webhook_outbox_lane ON webhook_outbox(account_id, webhook_id, state, id);
CREATE INDEX IF NOT EXISTS webhook_outbox_session ON webhook_outbox(account_id, webhook_id, session_id, state, id);
CREATE TABLE IF NOT EXISTS webhook_feed (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
`;

type Row = {
  id: number;
  account_id: string;
  webhook_id: string;
  session_id: string;
  event_id: string;
  position: number;
  dialect: string;
  name: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  dead_at: number | null;
};

interface Job {
  run(): unknown;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class SqliteOutbox implements WebhookOutbox {
  readonly #db: Database.Database;
  readonly #statements: StatementCache;
  #jobs: Job[] = [];
  #scheduled = false;
  #closed = false;
  readonly #insert: Database.Statement;
  readonly #setFeed: Database.Statement;

  readonly #fsync: WalFsync | undefined;
  /** Group commits waiting for their fsync, settled in commit order. */
  #tail: Promise<void> = Promise.resolve();

  /** `synchronous`: `FULL` (default) resolves writes once fsynced; `NORMAL` skips the fsync. */
  constructor(file: string, options: { synchronous?: 'FULL' | 'NORMAL' } = {}) {
    this.#db = new Database(file);
    this.#statements = new StatementCache(this.#db);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    if ((options.synchronous ?? 'FULL') === 'FULL') this.#fsync = new WalFsync(file);
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#insert = this.#stmt(
      `INSERT INTO webhook_outbox (account_id, webhook_id, session_id, event_id, position, dialect, name, payload, state, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
    );
    this.#setFeed = this.#stmt(`INSERT INTO webhook_feed (name, position) VALUES ('webhooks', ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`);
  }

  #stmt(sql: string): Database.Statement {
    return this.#statements.get(sql);
  }

  /** Runs a write in the next group commit; resolves once it is durable. */
  #write<T>(run: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new OutboxClosedError());
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const jobs = this.#jobs;
    this.#jobs = [];
    if (jobs.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: Error })[] = [];
    try {
      const results: unknown[] = [];
      this.#db.transaction(() => {
        for (const j of jobs) results.push(j.run());
      })();
      for (const value of results) outcomes.push({ ok: true, value });
    } catch {
      // One failing write must not fail the others that shared its transaction: run them one by one.
      for (const j of jobs) {
        try {
          outcomes.push({ ok: true, value: this.#db.transaction(() => j.run())() });
        } catch (err) {
          outcomes.push({ ok: false, err: err as Error });
        }
      }
    }
    const fsynced = (this.#fsync ? this.#fsync.sync() : Promise.resolve()).then(() => undefined, (err: Error) => err);
    this.#tail = this.#tail
      .then(() => fsynced)
      .then((syncErr) =>
        jobs.forEach((j, i) => {
          const o = outcomes[i]!;
          if (syncErr) j.reject(syncErr);
          else if (o.ok) j.resolve(o.value);
          else j.reject(o.err);
        }),
      );
  }

  async feedPosition(): Promise<number | undefined> {
    const row = this.#stmt(`SELECT position FROM webhook_feed WHERE name = 'webhooks'`).get() as { position: number } | undefined;
    return row?.position;
  }

  feed(rows: readonly NewOutboxRow[], position: number): Promise<OutboxRow[]> {
    return this.#write(() => {
      const now = Date.now();
      const out = rows.map((r) => toRow(this.#insert.get(r.accountId, r.webhookId, r.sessionId, r.eventId, r.position, r.dialect, r.name, r.payload, now, now) as Row));
      this.#setFeed.run(position);
      return out;
    });
  }

  async pending(accountId: string, webhookId: string, after: number, limit: number, session?: { sessionId: string; upTo: number }): Promise<OutboxRow[]> {
    const rows = session
      ? this.#stmt(`SELECT * FROM webhook_outbox WHERE account_id = ? AND webhook_id = ? AND session_id = ? AND state = 'pending' AND id > ? AND id <= ? ORDER BY id LIMIT ?`)
          .all(accountId, webhookId, session.sessionId, after, session.upTo, limit)
      : this.#stmt(`SELECT * FROM webhook_outbox WHERE account_id = ? AND webhook_id = ? AND state = 'pending' AND id > ? ORDER BY id LIMIT ?`).all(accountId, webhookId, after, limit);
    return (rows as Row[]).map(toRow);
  }

  async pendingSubscriptions(): Promise<{ accountId: string; webhookId: string }[]> {
    const rows = this.#stmt(`SELECT DISTINCT account_id, webhook_id FROM webhook_outbox WHERE state = 'pending'`).all() as { account_id: string; webhook_id: string }[];
    return rows.map((r) => ({ accountId: r.account_id, webhookId: r.webhook_id }));
  }

  acknowledge(id: number): Promise<void> {
    return this.#write(() => void this.#stmt('DELETE FROM webhook_outbox WHERE id = ?').run(id));
  }

  recordAttempt(id: number, a: AttemptRecord): Promise<void> {
    return this.#write(
      () =>
        void this.#stmt('UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, first_attempt_at = ?, last_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?')
          .run(a.attempts, a.nextAttemptAt, a.firstAttemptAt, a.lastAttemptAt, a.lastStatus ?? null, a.lastError ?? null, id),
    );
  }

  deadLetter(id: number, a: AttemptRecord): Promise<void> {
    return this.#write(
      () =>
        void this.#stmt(`UPDATE webhook_outbox SET state = 'dead', dead_at = ?, attempts = ?, next_attempt_at = ?, first_attempt_at = ?, last_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?`)
          .run(a.lastAttemptAt, a.attempts, a.nextAttemptAt, a.firstAttemptAt, a.lastAttemptAt, a.lastStatus ?? null, a.lastError ?? null, id),
    );
  }

  async listDeadLetters(accountId: string, q: DeadLetterQuery): Promise<OutboxRow[]> {
    const rows =
      q.webhookId === undefined
        ? this.#stmt(`SELECT * FROM webhook_outbox WHERE account_id = ? AND state = 'dead' AND id > ? ORDER BY id LIMIT ?`).all(accountId, q.after ?? 0, q.limit)
        : this.#stmt(`SELECT * FROM webhook_outbox WHERE account_id = ? AND webhook_id = ? AND state = 'dead' AND id > ? ORDER BY id LIMIT ?`).all(accountId, q.webhookId, q.after ?? 0, q.limit);
    return (rows as Row[]).map(toRow);
  }

  async getDeadLetter(accountId: string, id: number): Promise<OutboxRow | undefined> {
    const row = this.#stmt(`SELECT * FROM webhook_outbox WHERE account_id = ? AND id = ? AND state = 'dead'`).get(accountId, id) as Row | undefined;
    return row ? toRow(row) : undefined;
  }

  replay(accountId: string, ids: readonly number[]): Promise<OutboxRow[]> {
    return this.#write(() => {
      const now = Date.now();
      const out: OutboxRow[] = [];
      const take = this.#stmt(`DELETE FROM webhook_outbox WHERE account_id = ? AND id = ? AND state = 'dead' RETURNING *`);
      for (const id of ids) {
        const dead = take.get(accountId, id) as Row | undefined;
        if (!dead) continue;
        out.push(toRow(this.#insert.get(dead.account_id, dead.webhook_id, dead.session_id, dead.event_id, dead.position, dead.dialect, dead.name, dead.payload, now, now) as Row));
      }
      return out;
    });
  }

  replayAll(accountId: string, webhookId: string | undefined, limit: number): Promise<OutboxRow[]> {
    return replayAllDeadLetters(this, accountId, webhookId, limit);
  }

  discardDeadLetter(accountId: string, id: number): Promise<boolean> {
    return this.#write(() => this.#stmt(`DELETE FROM webhook_outbox WHERE account_id = ? AND id = ? AND state = 'dead'`).run(accountId, id).changes === 1);
  }

  purgeSubscription(accountId: string, webhookId: string): Promise<number> {
    return this.#write(() => this.#stmt('DELETE FROM webhook_outbox WHERE account_id = ? AND webhook_id = ?').run(accountId, webhookId).changes);
  }

  async counts(): Promise<{ pending: number; dead: number }> {
    const rows = this.#stmt('SELECT state, count(*) AS n FROM webhook_outbox GROUP BY state').all() as { state: OutboxState; n: number }[];
    const get = (s: OutboxState) => rows.find((r) => r.state === s)?.n ?? 0;
    return { pending: get('pending'), dead: get('dead') };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    await this.#tail;
    await this.#fsync?.close();
    this.#db.close();
  }
}

function toRow(r: Row): OutboxRow {
  const o: OutboxRow = {
    id: r.id,
    accountId: r.account_id,
    webhookId: r.webhook_id,
    sessionId: r.session_id,
    eventId: r.event_id,
    position: r.position,
    dialect: r.dialect,
    name: r.name,
    payload: r.payload,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  };
  if (r.first_attempt_at !== null) o.firstAttemptAt = r.first_attempt_at;
  if (r.last_attempt_at !== null) o.lastAttemptAt = r.last_attempt_at;
  if (r.last_status !== null) o.lastStatus = r.last_status;
  if (r.last_error !== null) o.lastError = r.last_error;
  if (r.dead_at !== null) o.deadAt = r.dead_at;
  return o;
}
