/**
 * Named leases with expiry in PostgreSQL (docs/scale-out.md): one row per name, `leases(name, holder,
 * expires_at)`. A lease picks the one node of a cluster that does a single-writer job (webhook delivery) and
 * hands the job to a survivor when that node stops renewing. Expiry is judged by the server's clock
 * (`now()`), never a node's, so clock skew between nodes does not matter; a holder must treat its lease as
 * lost `ttlMs` after it *asked* for it (the server's expiry is later than that).
 */
import type { PgDatabase } from './pg-database.js';

const MIGRATIONS = [`CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)`];

export class PostgresLease {
  private constructor(private readonly db: PgDatabase) {}

  /** Applies the `leases` migrations (idempotent; every node does it at start). */
  static async open(db: PgDatabase): Promise<PostgresLease> {
    await db.migrate('leases', MIGRATIONS);
    return new PostgresLease(db);
  }

  /** Takes the lease when it is free or expired, or renews it when `holder` already has it; true when
   *  `holder` holds it for `ttlMs` from now. One statement: the row lock of the upsert settles races. */
  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const r = await this.db.pool.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= now()
       RETURNING holder`,
      [name, holder, Math.max(1, Math.round(ttlMs))],
    );
    return r.rowCount === 1;
  }

  /** Gives the lease up at once (a graceful stop), if `holder` has it. */
  async release(name: string, holder: string): Promise<void> {
    await this.db.pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  /** One lease held by one holder, as a single-writer job takes it (the webhook engine's `lease` option). */
  handle(name: string, holder: string, ttlMs: number): { readonly ttlMs: number; acquire(): Promise<boolean>; release(): Promise<void> } {
    return { ttlMs, acquire: () => this.acquire(name, holder, ttlMs), release: () => this.release(name, holder) };
  }

  /** Who holds the lease now, or undefined when it is free or expired. */
  async holder(name: string): Promise<string | undefined> {
    const r = await this.db.pool.query<{ holder: string }>('SELECT holder FROM leases WHERE name = $1 AND expires_at > now()', [name]);
    return r.rows[0]?.holder;
  }
}
