/**
 * A throw-away PostgreSQL schema for a test: `RINGSIDE_TEST_PG` (default the development and CI machines'
 * server, postgres://postgres@127.0.0.1:5432/test) with a random schema, dropped after the test. When no
 * server answers, `unavailable` says so loudly and the test skips (CI runs PostgreSQL, so nothing skips there).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_PG_URL = process.env.RINGSIDE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A URL naming a fresh schema of the test server. */
export function testSchemaUrl(prefix = 'rs_test'): string {
  const u = new URL(TEST_PG_URL);
  u.searchParams.set('schema', `${prefix}_${randomBytes(6).toString('hex')}`);
  return u.toString();
}

let probed: Promise<string | false> | undefined;

/** false when the test server answers, else a skip message (printed once). */
export function pgUnavailable(): Promise<string | false> {
  probed ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return false as const;
    } catch (err) {
      const msg = `SKIPPED: no PostgreSQL at ${TEST_PG_URL} (${(err as Error).message}); set RINGSIDE_TEST_PG. CI runs one`;
      process.stderr.write(`\n*** ${msg} ***\n`);
      return msg;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probed;
}

/** Drops the schema a `testSchemaUrl()` named, with everything in it. */
export async function dropTestSchema(url: string): Promise<void> {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  if (!schema || !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`no test schema in ${url}`);
  u.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
