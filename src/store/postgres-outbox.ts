/**
 * The webhook outbox (webhook-outbox.ts) in PostgreSQL, for a cluster of Ringside nodes sharing one database
 * (docs/scale-out.md). Same two tables as SqliteOutbox: `webhook_outbox` (one row per (event, subscription),
 * pending or dead; ids from an identity column, so increasing in insertion order) and `webhook_feed` (the
 * fed log position). Every write is one PostgreSQL transaction and resolves after its commit, which is
 * durable with the server's default `synchronous_commit = on`.
 *
 * Feeding is idempotent across nodes: `feed` locks the feed row, leaves out rows whose log position the
 * stored position already covers (another node, or this one before a takeover, fed them — and may have
 * delivered and deleted them since), never moves the position back, and a unique (account, subscription,
 * event) drops a row fed twice all the same. It returns only the rows it inserted.
 *
 * Every insert (feed and replay) holds the feed row's lock until its commit, so rows become visible in id
 * order: a reader that has seen id n will never later find a new row below n (the delivery engine scans
 * forward from the highest id it has read; with concurrent inserts a lower id could commit after a higher one).
 *
 * Acknowledgements made in the same turn of the event loop share one DELETE and one commit (group commit,
 * as SqliteOutbox does): many sessions' lanes finish at once, and a commit per row would cap the rate at
 * what the pool's connections can fsync one by one.
 *
 * The pool belongs to the caller (one PgDatabase for the whole store): `close()` stops this outbox and waits
 * for its writes, it does not end the pool.
 */
import type pg from 'pg';
import type { PgDatabase } from './pg-database.js';
import { OutboxClosedError, replayAllDeadLetters, type AttemptRecord, type DeadLetterQuery, type NewOutboxRow, type OutboxRow, type OutboxState, type WebhookOutbox } from './webhook-outbox.js';

const MIGRATIONS = [
  `CREATE TABLE webhook_outbox (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id TEXT NOT NULL, webhook_id TEXT NOT NULL,
     session_id TEXT NOT NULL, event_id TEXT NOT NULL, position BIGINT NOT NULL, dialect TEXT NOT NULL,
     name TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL, created_at BIGINT NOT NULL, first_attempt_at BIGINT,
     last_attempt_at BIGINT, last_status INTEGER, last_error TEXT, dead_at BIGINT);
   CREATE INDEX webhook_outbox_lane ON webhook_outbox (account_id, webhook_id, id) WHERE state = 'pending';
   CREATE INDEX webhook_outbox_session ON webhook_outbox (account_id, webhook_id, session_id, id) WHERE state = 'pending';
   CREATE INDEX webhook_outbox_dead ON webhook_outbox (account_id, id) WHERE state = 'dead';
   CREATE UNIQUE INDEX webhook_outbox_once ON webhook_outbox (account_id, webhook_id, event_id);
   CREATE TABLE webhook_feed (name TEXT PRIMARY KEY, position BIGINT);
   INSERT INTO webhook_feed (name, position) VALUES ('webhooks', NULL);`,
];

const COLUMNS = 'account_id, webhook_id, session_id, event_id, position, dialect, name, payload, state, next_attempt_at, created_at';

/** Inserts rows given as parallel arrays, in array order (the identity follows it); duplicates are skipped. */
const INSERT = `INSERT INTO webhook_outbox (${COLUMNS})
  SELECT a, w, s, e, p, d, n, pl, 'pending', $9, $9
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(a, w, s, e, p, d, n, pl, ord)
  ORDER BY ord
  ON CONFLICT (account_id, webhook_id, event_id) DO NOTHING
  RETURNING *`;

const LOCK_FEED = `SELECT position FROM webhook_feed WHERE name = 'webhooks' FOR UPDATE`;

/** A row as pg returns it: BIGINT columns arrive as strings. */
type Row = {
  id: string;
  account_id: string;
  webhook_id: string;
  session_id: string;
  event_id: string;
  position: string;
  dialect: string;
  name: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  first_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  dead_at: string | null;
};

export class PostgresOutbox implements WebhookOutbox {
  #closed = false;
  /** Writes under way, awaited by close(). */
  readonly #writes = new Set<Promise<unknown>>();
  /** Acknowledgements waiting for the next group commit. */
  #acks: { id: number; resolve(): void; reject(err: Error): void }[] = [];

  private constructor(private readonly db: PgDatabase) {}

  /** Applies the outbox's migrations (component `outbox`; idempotent, every node runs them at start). */
  static async open(db: PgDatabase): Promise<PostgresOutbox> {
    await db.migrate('outbox', MIGRATIONS);
    return new PostgresOutbox(db);
  }

  #write<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new OutboxClosedError());
    const p = run();
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.add(tracked);
    void tracked.then(() => this.#writes.delete(tracked));
    return p;
  }

  async #query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    if (this.#closed) throw new OutboxClosedError();
    return (await this.db.pool.query<R>(sql, values)).rows;
  }

  async feedPosition(): Promise<number | undefined> {
    const [row] = await this.#query<{ position: string | null }>(`SELECT position FROM webhook_feed WHERE name = 'webhooks'`);
    return row?.position == null ? undefined : Number(row.position);
  }

  feed(rows: readonly NewOutboxRow[], position: number): Promise<OutboxRow[]> {
    return this.#write(() =>
      this.db.transaction(async (c) => {
        const held = (await c.query<{ position: string | null }>(LOCK_FEED)).rows[0]?.position;
        const stored = held == null ? undefined : Number(held);
        // Rows at or below the stored position were fed already (feeds are atomic and contiguous).
        const fresh = stored === undefined ? rows : rows.filter((r) => r.position > stored);
        const out = fresh.length > 0 ? await insert(c, fresh) : [];
        await c.query(`UPDATE webhook_feed SET position = GREATEST(COALESCE(position, $1), $1) WHERE name = 'webhooks'`, [position]);
        return out;
      }),
    );
  }

  async pending(accountId: string, webhookId: string, after: number, limit: number, session?: { sessionId: string; upTo: number }): Promise<OutboxRow[]> {
    const rows = session
      ? await this.#query<Row>(
          `SELECT * FROM webhook_outbox WHERE account_id = $1 AND webhook_id = $2 AND session_id = $3 AND state = 'pending' AND id > $4 AND id <= $5 ORDER BY id LIMIT $6`,
          [accountId, webhookId, session.sessionId, after, session.upTo, limit],
        )
      : await this.#query<Row>(`SELECT * FROM webhook_outbox WHERE account_id = $1 AND webhook_id = $2 AND state = 'pending' AND id > $3 ORDER BY id LIMIT $4`, [accountId, webhookId, after, limit]);
    return rows.map(toRow);
  }

  async pendingSubscriptions(): Promise<{ accountId: string; webhookId: string }[]> {
    // A skip scan over the pending index: one probe per subscription, not one row per pending event (the
    // engine asks at every lease renewal, and a backlog can be millions of rows).
    const rows = await this.#query<{ account_id: string; webhook_id: string }>(
      `WITH RECURSIVE subs AS (
         (SELECT account_id, webhook_id FROM webhook_outbox WHERE state = 'pending' ORDER BY account_id, webhook_id LIMIT 1)
         UNION ALL
         SELECT n.account_id, n.webhook_id FROM subs, LATERAL (
           SELECT account_id, webhook_id FROM webhook_outbox
           WHERE state = 'pending' AND (account_id, webhook_id) > (subs.account_id, subs.webhook_id)
           ORDER BY account_id, webhook_id LIMIT 1) n)
       SELECT account_id, webhook_id FROM subs`,
    );
    return rows.map((r) => ({ accountId: r.account_id, webhookId: r.webhook_id }));
  }

  acknowledge(id: number): Promise<void> {
    return this.#write(
      () =>
        new Promise<void>((resolve, reject) => {
          if (this.#acks.push({ id, resolve, reject }) === 1) setImmediate(() => void this.#flushAcks());
        }),
    );
  }

  async #flushAcks(): Promise<void> {
    const batch = this.#acks;
    this.#acks = [];
    try {
      await this.db.pool.query('DELETE FROM webhook_outbox WHERE id = ANY($1::int8[])', [batch.map((a) => a.id)]);
      for (const a of batch) a.resolve();
    } catch (err) {
      for (const a of batch) a.reject(err as Error);
    }
  }

  recordAttempt(id: number, a: AttemptRecord): Promise<void> {
    return this.#write(
      async () =>
        void (await this.db.pool.query(
          'UPDATE webhook_outbox SET attempts = $1, next_attempt_at = $2, first_attempt_at = $3, last_attempt_at = $4, last_status = $5, last_error = $6 WHERE id = $7',
          [a.attempts, a.nextAttemptAt, a.firstAttemptAt, a.lastAttemptAt, a.lastStatus ?? null, a.lastError ?? null, id],
        )),
    );
  }

  deadLetter(id: number, a: AttemptRecord): Promise<void> {
    return this.#write(
      async () =>
        void (await this.db.pool.query(
          `UPDATE webhook_outbox SET state = 'dead', dead_at = $1, attempts = $2, next_attempt_at = $3, first_attempt_at = $4, last_attempt_at = $5, last_status = $6, last_error = $7 WHERE id = $8`,
          [a.lastAttemptAt, a.attempts, a.nextAttemptAt, a.firstAttemptAt, a.lastAttemptAt, a.lastStatus ?? null, a.lastError ?? null, id],
        )),
    );
  }

  async listDeadLetters(accountId: string, q: DeadLetterQuery): Promise<OutboxRow[]> {
    const rows =
      q.webhookId === undefined
        ? await this.#query<Row>(`SELECT * FROM webhook_outbox WHERE account_id = $1 AND state = 'dead' AND id > $2 ORDER BY id LIMIT $3`, [accountId, q.after ?? 0, q.limit])
        : await this.#query<Row>(`SELECT * FROM webhook_outbox WHERE account_id = $1 AND webhook_id = $2 AND state = 'dead' AND id > $3 ORDER BY id LIMIT $4`, [
            accountId,
            q.webhookId,
            q.after ?? 0,
            q.limit,
          ]);
    return rows.map(toRow);
  }

  async getDeadLetter(accountId: string, id: number): Promise<OutboxRow | undefined> {
    const [row] = await this.#query<Row>(`SELECT * FROM webhook_outbox WHERE account_id = $1 AND id = $2 AND state = 'dead'`, [accountId, id]);
    return row ? toRow(row) : undefined;
  }

  replay(accountId: string, ids: readonly number[]): Promise<OutboxRow[]> {
    return this.#write(() =>
      this.db.transaction(async (c) => {
        // Inserts are serialised on the feed row, so ids become visible in order (see the header).
        await c.query(LOCK_FEED);
        const dead = (await c.query<Row>(`DELETE FROM webhook_outbox WHERE account_id = $1 AND id = ANY($2::int8[]) AND state = 'dead' RETURNING *`, [accountId, [...ids]])).rows;
        const byId = new Map(dead.map((d) => [Number(d.id), d]));
        // In the order asked for, like SqliteOutbox.
        const again = [...new Set(ids)].flatMap((id) => {
          const d = byId.get(id);
          return d ? [{ accountId: d.account_id, webhookId: d.webhook_id, sessionId: d.session_id, eventId: d.event_id, position: Number(d.position), dialect: d.dialect, name: d.name, payload: d.payload }] : [];
        });
        return again.length > 0 ? insert(c, again) : [];
      }),
    );
  }

  replayAll(accountId: string, webhookId: string | undefined, limit: number): Promise<OutboxRow[]> {
    return replayAllDeadLetters(this, accountId, webhookId, limit);
  }

  discardDeadLetter(accountId: string, id: number): Promise<boolean> {
    return this.#write(async () => (await this.db.pool.query(`DELETE FROM webhook_outbox WHERE account_id = $1 AND id = $2 AND state = 'dead'`, [accountId, id])).rowCount === 1);
  }

  purgeSubscription(accountId: string, webhookId: string): Promise<number> {
    return this.#write(async () => (await this.db.pool.query('DELETE FROM webhook_outbox WHERE account_id = $1 AND webhook_id = $2', [accountId, webhookId])).rowCount ?? 0);
  }

  async counts(): Promise<{ pending: number; dead: number }> {
    const rows = await this.#query<{ state: OutboxState; n: string }>('SELECT state, count(*) AS n FROM webhook_outbox GROUP BY state');
    const get = (s: OutboxState) => Number(rows.find((r) => r.state === s)?.n ?? 0);
    return { pending: get('pending'), dead: get('dead') };
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
  }
}

async function insert(c: pg.PoolClient, rows: readonly NewOutboxRow[]): Promise<OutboxRow[]> {
  const col = <K extends keyof NewOutboxRow>(k: K) => rows.map((r) => r[k]);
  const inserted = await c.query<Row>(INSERT, [
    col('accountId'),
    col('webhookId'),
    col('sessionId'),
    col('eventId'),
    col('position'),
    col('dialect'),
    col('name'),
    col('payload'),
    Date.now(),
  ]);
  return inserted.rows.map(toRow).sort((a, b) => a.id - b.id);
}

function toRow(r: Row): OutboxRow {
  const o: OutboxRow = {
    id: Number(r.id),
    accountId: r.account_id,
    webhookId: r.webhook_id,
    sessionId: r.session_id,
    eventId: r.event_id,
    position: Number(r.position),
    dialect: r.dialect,
    name: r.name,
    payload: r.payload,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
  };
  if (r.first_attempt_at !== null) o.firstAttemptAt = Number(r.first_attempt_at);
  if (r.last_attempt_at !== null) o.lastAttemptAt = Number(r.last_attempt_at);
  if (r.last_status !== null) o.lastStatus = r.last_status;
  if (r.last_error !== null) o.lastError = r.last_error;
  if (r.dead_at !== null) o.deadAt = Number(r.dead_at);
  return o;
}
