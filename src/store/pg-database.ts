/**
 * A PostgreSQL connection pool for the scale-out store (docs/scale-out.md): one schema per Ringside
 * installation (default `ringside`; `?schema=` in the URL picks another, which tests use to isolate
 * themselves), and versioned migrations per component applied at start. Every node of a cluster runs the
 * same migrations at start; a transaction-scoped advisory lock makes that idempotent and race-free.
 */
import pg from 'pg';
import { createHash } from 'node:crypto';

export interface PgTarget {
  /** The connection URL without Ringside's own `schema` parameter. */
  url: string;
  schema: string;
}

/** Splits `postgres://…?schema=name` into the URL pg understands and the schema. */
export function parsePgUrl(url: string): PgTarget {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error(`not a PostgreSQL URL: ${u.protocol}//…`);
  const schema = u.searchParams.get('schema') ?? 'ringside';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`schema '${schema}': use lower-case letters, digits and _`);
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

export class PgDatabase {
  readonly pool: pg.Pool;
  readonly schema: string;

  constructor(url: string, options: { max?: number } = {}) {
    const target = parsePgUrl(url);
    this.schema = target.schema;
    // Every connection works in the installation's schema: queries name tables without a prefix.
    this.pool = new pg.Pool({ connectionString: target.url, max: options.max ?? 10, options: `-c search_path=${target.schema}` });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schema and applies `migrations[version]` for `component` from the first not yet applied.
   *  A migration is one SQL text; each runs in its own transaction with its version row. */
  async migrate(component: string, migrations: readonly string[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One migrator at a time per installation and component (nodes starting together).
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`${this.schema}/${component}`)]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
      const done = await client.query<{ version: number }>(`SELECT version FROM ${this.schema}.schema_migrations WHERE component = $1`, [component]);
      const applied = new Set(done.rows.map((r) => r.version));
      for (let v = 0; v < migrations.length; v++) {
        if (applied.has(v)) continue;
        await client.query(migrations[v]!);
        await client.query(`INSERT INTO ${this.schema}.schema_migrations (component, version) VALUES ($1, $2)`, [component, v]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Runs `fn` in one transaction on one client. */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A stable 64-bit advisory lock key for a name (pg_advisory_xact_lock takes a bigint). */
export function lockKey(name: string): string {
  return BigInt.asIntN(64, createHash('sha256').update(name).digest().readBigUInt64BE(0)).toString();
}
