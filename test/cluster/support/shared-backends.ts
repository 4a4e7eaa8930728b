/**
 * The shared parts of a cluster for one test: a fresh PostgreSQL schema and fresh NATS JetStream
 * stream/subject names, both removed in `t.after` (tests isolate themselves and may run in parallel).
 */
import pg from 'pg';
import { testSchemaUrl } from '../../support/pg-test-database.js';
import { deleteTestStreams, testNames, TEST_NATS } from '../../../src/events/log/nats-test-support.js';
import { parsePgUrl } from '../../../src/store/pg-database.js';

type T = { after(fn: () => unknown): void };

/** `--store` and `--log` values naming this test's schema and stream. */
export function sharedBackends(t: T, schemaPrefix: string): { store: string; log: string } {
  const store = testSchemaUrl(schemaPrefix);
  const names = testNames();
  t.after(async () => {
    await deleteTestStreams(names);
    const { url, schema } = parsePgUrl(store);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  return { store, log: `${TEST_NATS}?stream=${names.stream}&prefix=${names.prefix}` };
}
